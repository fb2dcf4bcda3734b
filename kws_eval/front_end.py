"""Audio front ends of the keyword-spotting rows, all with one contract.

A front end maps one-second clips `(batch, 16000)` to features
`(batch, frames, features)`: 61 × 40 for log-mel (512-sample window, 256
hop), 62 × 40 for the `seed` CPC encoder.
"""

import dataclasses

import keras

from frontends.log_mel_spectrogram import LogMelSpectrogram
from kws_eval.kws_row import KwsRow
from models.genc_model import EncoderGeometryError, encoder_geometry

LOGMEL_FRAME_LENGTH = 512
"""Samples per log-mel window (32 ms), the reference's."""

LOGMEL_FRAME_STEP = 256
"""Samples between log-mel frames (16 ms), the reference's and the seed encoder's hop."""

LOGMEL_BINS = 40
"""Mel bands, the reference's; also the seed encoder's output size."""


@dataclasses.dataclass(frozen=True)
class FrontEnd:
    """An audio front end ready to put under a classifier.

    Attributes:
        model: Audio `(batch, samples)` → `(batch, frames, features)`; its
            `trainable` flag is already set for the row.
        hop: Samples between frames; None if it cannot be read off the model
            (e.g. an encoder with a recurrent layer).
        receptive_field: Samples one frame depends on; None as for `hop`.
    """

    model: keras.Model
    hop: int | None
    receptive_field: int | None

    def feature_shape(self, clip_samples: int) -> tuple[int, int]:
        """`(frames, features)` the front end gives for one clip of `clip_samples`."""
        shape = self.model.compute_output_shape((1, clip_samples))
        return int(shape[1]), int(shape[2])


def build_front_end(row: KwsRow, encoder: keras.Model | None) -> FrontEnd:
    """Makes a fresh front end for `row`; call `keras.utils.set_random_seed` first.

    Args:
        row: Which front end, and whether it trains with the classifier.
        encoder: The loaded encoder (`load_audio_encoder`); needed unless the
            row is log-mel. It is never modified: "cpc" rows get a copy with
            its weights and "random" rows a copy with fresh initial weights.

    Returns:
        The `FrontEnd`.

    Raises:
        ValueError: The row needs an encoder and none was given.
    """
    if row.front_end == "logmel":
        audio = keras.Input((None,), name="audio")
        features = LogMelSpectrogram(LOGMEL_FRAME_LENGTH, LOGMEL_FRAME_STEP, num_mel_bins=LOGMEL_BINS, name="log_mel")(
            audio
        )
        model = keras.Model(audio, features, name="logmel")
        hop, receptive_field = LOGMEL_FRAME_STEP, LOGMEL_FRAME_LENGTH
    else:
        if encoder is None:
            raise ValueError(f"row {row.name!r} needs an encoder")
        model = keras.models.clone_model(encoder)
        if row.front_end == "cpc":
            model.set_weights(encoder.get_weights())
        try:
            geometry = encoder_geometry(model)
            hop, receptive_field = geometry.hop, geometry.receptive_field
        except EncoderGeometryError:
            hop = receptive_field = None
    model.trainable = row.trainable
    return FrontEnd(model, hop, receptive_field)
