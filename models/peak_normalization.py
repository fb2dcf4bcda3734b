"""Per-clip mean removal and peak normalisation as a Keras layer."""

import keras
from keras import ops

from librispeech.audio_file import INT16_FULL_SCALE, PEAK_FLOOR

INT16_STEP = PEAK_FLOOR / INT16_FULL_SCALE
"""Pretraining's smallest peak (one int16 step) in float audio: the smallest peak divided by."""


@keras.saving.register_keras_serializable(package="cpc")
class PeakNormalization(keras.layers.Layer):
    """Removes each clip's mean and divides by its peak absolute value.

    This is what CPC pretraining does to every utterance (there with the whole
    utterance's statistics, here with the clip's), so a CPC encoder sees audio
    at the scale it was trained on. The keyword-spotting models apply it to
    every row, the log-mel one included, so all rows see the same input; the
    HEAR API applies it to every sound.

    Args:
        floor: Smallest peak divided by, so that a silent clip stays finite;
            one int16 step, as in pretraining.
        **kwargs: Base layer arguments.

    Call arguments:
        audio: `(batch, samples)` float.

    Returns:
        `(batch, samples)`, zero mean, peak absolute value 1 (or less for a
        clip quieter than `floor`).
    """

    def __init__(self, floor: float = INT16_STEP, **kwargs):
        super().__init__(**kwargs)
        self.floor = floor

    def call(self, audio):
        centred = audio - ops.mean(audio, axis=-1, keepdims=True)
        peak = ops.max(ops.abs(centred), axis=-1, keepdims=True)
        return centred / ops.maximum(peak, self.floor)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"floor": self.floor})
        return config
