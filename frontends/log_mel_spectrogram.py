"""Log-mel spectrogram as a Keras layer."""

import keras
import tensorflow as tf

from models.frame_geometry import FrameGeometry


@keras.saving.register_keras_serializable(package="cpc")
class LogMelSpectrogram(keras.layers.Layer):
    """STFT power → mel filterbank (HTK mel scale) → natural log with a floor.

    Frames are not padded: a ``T``-sample input gives ``1 + (T - frame_length) // frame_step``
    frames, frame ``i`` covering samples ``i * frame_step`` to ``i * frame_step + frame_length - 1``.

    Args:
        frame_length: Samples per STFT frame (periodic Hann window), the receptive field.
        frame_step: Samples between frames, the hop.
        fft_length: FFT size; None takes the smallest power of 2 >= ``frame_length``.
        num_mel_bins: Mel bands, the feature size.
        sample_rate: Samples per second of the input.
        lower_edge_hertz: Lowest frequency of the filterbank.
        upper_edge_hertz: Highest frequency of the filterbank; None for Nyquist.
        log_floor: Added to the mel power before the log, so silence stays finite.
        **kwargs: Base layer arguments.

    Call arguments:
        audio: ``(batch, samples)`` float32.

    Returns:
        ``(batch, frames, num_mel_bins)`` float32.
    """

    def __init__(
        self,
        frame_length: int = 512,
        frame_step: int = 256,
        fft_length: int | None = None,
        num_mel_bins: int = 40,
        sample_rate: int = 16000,
        lower_edge_hertz: float = 20.0,
        upper_edge_hertz: float | None = None,
        log_floor: float = 1e-6,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.frame_length = frame_length
        self.frame_step = frame_step
        self.fft_length = fft_length
        self.num_mel_bins = num_mel_bins
        self.sample_rate = sample_rate
        self.lower_edge_hertz = lower_edge_hertz
        self.upper_edge_hertz = upper_edge_hertz
        self.log_floor = log_floor
        self._fft_length = fft_length or 1 << (frame_length - 1).bit_length()
        self._mel_matrix = tf.signal.linear_to_mel_weight_matrix(
            num_mel_bins=num_mel_bins,
            num_spectrogram_bins=self._fft_length // 2 + 1,
            sample_rate=sample_rate,
            lower_edge_hertz=lower_edge_hertz,
            upper_edge_hertz=upper_edge_hertz or sample_rate / 2,
        )

    @property
    def hop(self) -> int:
        """Samples between consecutive frames."""
        return self.frame_step

    @property
    def receptive_field(self) -> int:
        """Samples one frame depends on."""
        return self.frame_length

    @property
    def geometry(self) -> FrameGeometry:
        """Where the frames sit in the audio: frame ``i`` analyses samples from ``i * hop``."""
        return FrameGeometry(self.hop, self.receptive_field, 0)

    def call(self, audio):
        spectrum = tf.signal.stft(
            audio, self.frame_length, self.frame_step, self._fft_length, window_fn=tf.signal.hann_window
        )
        power = tf.math.square(tf.math.abs(spectrum))
        mel = tf.tensordot(power, tf.cast(self._mel_matrix, power.dtype), axes=1)
        return tf.math.log(mel + self.log_floor)

    def compute_output_shape(self, input_shape):
        samples = input_shape[1]
        frames = None if samples is None else 1 + (samples - self.frame_length) // self.frame_step
        return (input_shape[0], frames, self.num_mel_bins)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "frame_length": self.frame_length,
                "frame_step": self.frame_step,
                "fft_length": self.fft_length,
                "num_mel_bins": self.num_mel_bins,
                "sample_rate": self.sample_rate,
                "lower_edge_hertz": self.lower_edge_hertz,
                "upper_edge_hertz": self.upper_edge_hertz,
                "log_floor": self.log_floor,
            }
        )
        return config
