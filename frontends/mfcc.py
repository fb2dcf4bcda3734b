"""MFCCs with deltas and delta-deltas as a Keras layer: the usual 39-dimensional baseline."""

import keras
import tensorflow as tf

from frontends.log_mel_spectrogram import LogMelSpectrogram
from models.frame_geometry import FrameGeometry


@keras.saving.register_keras_serializable(package="cpc")
class Mfcc(keras.layers.Layer):
    """Log-mel → DCT-II cepstra, followed by their deltas and delta-deltas.

    The cepstra are ``tf.signal.mfccs_from_log_mel_spectrograms`` of a `LogMelSpectrogram`, the
    first ``num_cepstra`` kept. Deltas are the usual regression over ``delta_width`` frames on
    either side, ``d_t = sum_n n (c_{t+n} - c_{t-n}) / (2 sum_n n^2)``, with the first and last
    frames repeated at the edges; delta-deltas are the deltas of the deltas.

    Frames are not padded: a ``T``-sample input gives ``1 + (T - frame_length) // frame_step``
    frames. The cepstra of frame ``i`` come from samples ``i * frame_step`` to
    ``i * frame_step + frame_length - 1``; the regressions reach ``num_deltas * delta_width``
    frames further on either side, so the receptive field is centred on the same samples.

    Args:
        frame_length: Samples per STFT frame (periodic Hann window); 400 = 25 ms at 16 kHz.
        frame_step: Samples between frames, the hop; 160 = 10 ms at 16 kHz.
        fft_length: FFT size; None takes the smallest power of 2 >= ``frame_length``.
        num_mel_bins: Mel bands the cepstra are computed from.
        num_cepstra: Cepstral coefficients kept, c0 included.
        num_deltas: 0 (cepstra only), 1 (and deltas) or 2 (and delta-deltas).
        delta_width: Frames on either side of the delta regression.
        sample_rate: Samples per second of the input.
        lower_edge_hertz: Lowest frequency of the filterbank.
        upper_edge_hertz: Highest frequency of the filterbank; None for Nyquist.
        log_floor: Added to the mel power before the log, so silence stays finite.
        **kwargs: Base layer arguments.

    Call arguments:
        audio: ``(batch, samples)`` float32.

    Returns:
        ``(batch, frames, num_cepstra * (num_deltas + 1))`` float32: cepstra, then deltas,
        then delta-deltas.
    """

    def __init__(
        self,
        frame_length: int = 400,
        frame_step: int = 160,
        fft_length: int | None = None,
        num_mel_bins: int = 40,
        num_cepstra: int = 13,
        num_deltas: int = 2,
        delta_width: int = 2,
        sample_rate: int = 16000,
        lower_edge_hertz: float = 20.0,
        upper_edge_hertz: float | None = None,
        log_floor: float = 1e-6,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not 1 <= num_cepstra <= num_mel_bins:
            raise ValueError(f"Mfcc: num_cepstra must be 1 to num_mel_bins ({num_mel_bins}), got {num_cepstra}")
        if num_deltas not in (0, 1, 2):
            raise ValueError(f"Mfcc: num_deltas must be 0, 1 or 2, got {num_deltas}")
        if delta_width < 1:
            raise ValueError(f"Mfcc: delta_width must be at least 1, got {delta_width}")
        self.frame_length = frame_length
        self.frame_step = frame_step
        self.fft_length = fft_length
        self.num_mel_bins = num_mel_bins
        self.num_cepstra = num_cepstra
        self.num_deltas = num_deltas
        self.delta_width = delta_width
        self.sample_rate = sample_rate
        self.lower_edge_hertz = lower_edge_hertz
        self.upper_edge_hertz = upper_edge_hertz
        self.log_floor = log_floor
        self.log_mel = LogMelSpectrogram(
            frame_length=frame_length,
            frame_step=frame_step,
            fft_length=fft_length,
            num_mel_bins=num_mel_bins,
            sample_rate=sample_rate,
            lower_edge_hertz=lower_edge_hertz,
            upper_edge_hertz=upper_edge_hertz,
            log_floor=log_floor,
            name="log_mel",
        )

    @property
    def hop(self) -> int:
        """Samples between consecutive frames."""
        return self.frame_step

    @property
    def receptive_field(self) -> int:
        """Samples one frame depends on: the analysis window widened by the delta regressions."""
        return self.frame_length + 2 * self.num_deltas * self.delta_width * self.frame_step

    @property
    def geometry(self) -> FrameGeometry:
        """Where the frames sit in the audio: the receptive field centred on the analysis window."""
        return FrameGeometry(self.hop, self.receptive_field, -self.num_deltas * self.delta_width * self.frame_step)

    @property
    def feature_dim(self) -> int:
        """Features per frame."""
        return self.num_cepstra * (self.num_deltas + 1)

    def build(self, input_shape):
        self.log_mel.build(input_shape)

    def call(self, audio):
        cepstra = tf.signal.mfccs_from_log_mel_spectrograms(self.log_mel(audio))[..., : self.num_cepstra]
        features = [cepstra]
        for _ in range(self.num_deltas):
            features.append(self._delta(features[-1]))
        return tf.concat(features, axis=-1)

    def _delta(self, features):
        width = self.delta_width
        frames = tf.shape(features)[1]
        # Repeating the edge frames keeps one output frame per input frame, as HTK does.
        padded = tf.concat(
            [tf.repeat(features[:, :1], width, axis=1), features, tf.repeat(features[:, -1:], width, axis=1)], axis=1
        )
        delta = tf.zeros_like(features)
        for n in range(1, width + 1):
            delta += n * (padded[:, width + n : width + n + frames] - padded[:, width - n : width - n + frames])
        return delta / (2 * sum(n * n for n in range(1, width + 1)))

    def compute_output_shape(self, input_shape):
        samples = input_shape[1]
        frames = None if samples is None else 1 + (samples - self.frame_length) // self.frame_step
        return (input_shape[0], frames, self.feature_dim)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "frame_length": self.frame_length,
                "frame_step": self.frame_step,
                "fft_length": self.fft_length,
                "num_mel_bins": self.num_mel_bins,
                "num_cepstra": self.num_cepstra,
                "num_deltas": self.num_deltas,
                "delta_width": self.delta_width,
                "sample_rate": self.sample_rate,
                "lower_edge_hertz": self.lower_edge_hertz,
                "upper_edge_hertz": self.upper_edge_hertz,
                "log_floor": self.log_floor,
            }
        )
        return config
