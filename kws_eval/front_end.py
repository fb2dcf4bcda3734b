"""Audio front ends of the keyword-spotting rows, all with one contract.

A front end maps one-second clips `(batch, 16000)` to features
`(batch, frames, features)`: 61 × 40 for log-mel (512-sample window, 256
hop), 62 × 40 for the `seed` CPC encoder.
"""

import dataclasses
from pathlib import Path

import keras
import numpy as np

from cli.error_lines import first_line
from frontends.log_mel_spectrogram import LogMelSpectrogram
from kws_eval.kws_row import KwsRow
from models.audio_feature_model import AudioFeatureModel
from models.frame_geometry import FrameGeometry
from models.model_file_error import ModelFileError

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


def load_audio_encoder(path: Path | str, clip_samples: int = 16000) -> keras.Model:
    """Loads the encoder of the random and cpc rows (`AudioFeatureModel.load`).

    Any audio → features model is accepted, of any input length or of `clip_samples`: it is
    run once on a silent clip to make sure, and copied once to make sure the random and
    fine-tuned rows can have their own copies.

    Args:
        path: The encoder file, e.g. `outputs/genc.h5`.
        clip_samples: Samples per clip the encoder will be given.

    Returns:
        The loaded model, uncompiled.

    Raises:
        ModelFileError: The file is missing, is not a loadable Keras model, does not map
            `(batch, samples)` to `(batch, frames, features)`, gives no frame for
            `clip_samples` samples, or cannot be copied. The message names it
            `encoder <path>`.
    """
    subject = f"encoder {path}"
    try:
        encoder = AudioFeatureModel.load(path, subject, samples=clip_samples).model
    except ModelFileError as error:
        # The keyword-spotting users have always read these words.
        raise error.reworded(
            problems={
                ModelFileError.MISSING: "no such file (train one with train.py, or leave the random and cpc rows "
                "out of --rows)",
                ModelFileError.NOT_AUDIO_TO_FEATURES: "not an audio encoder",
            }
        ) from None
    try:
        features = np.asarray(encoder(np.zeros((1, clip_samples), np.float32)))
    except Exception as error:  # noqa: BLE001  (whatever the model's own layers raise)
        raise ModelFileError(subject, f"fails on a {clip_samples}-sample clip", f" ({first_line(error)})") from None
    if features.ndim != 3 or features.shape[1] < 1 or features.shape[2] < 1:
        raise ModelFileError(
            subject,
            f"gives features of shape {features.shape} for one {clip_samples}-sample clip",
            ", expected (1, frames, features)",
        )
    try:
        keras.models.clone_model(encoder)
    except Exception as error:  # noqa: BLE001
        raise ModelFileError(subject, "cannot be copied for the random rows", f" ({first_line(error)})") from None
    return encoder


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
        log_mel = LogMelSpectrogram(LOGMEL_FRAME_LENGTH, LOGMEL_FRAME_STEP, num_mel_bins=LOGMEL_BINS, name="log_mel")
        model = keras.Model(audio, log_mel(audio), name="logmel")
        geometry = log_mel.geometry
    else:
        if encoder is None:
            raise ValueError(f"row {row.name!r} needs an encoder")
        model = keras.models.clone_model(encoder)
        if row.front_end == "cpc":
            model.set_weights(encoder.get_weights())
        try:
            geometry = FrameGeometry.of_encoder(model)
        except ModelFileError:
            geometry = None
    model.trainable = row.trainable
    if geometry is None:
        return FrontEnd(model, None, None)
    return FrontEnd(model, geometry.hop, geometry.receptive_field)
