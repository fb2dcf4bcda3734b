"""HEAR's three functions and its model object, over `models.audio_feature_model.AudioFeatureModel`."""

import tensorflow as tf

from models.audio_feature_model import AudioFeatureModel
from models.model_file_error import ModelFileError
from models.peak_normalization import PeakNormalization

SAMPLE_RATE = 16000
"""The rate every CPC encoder here is trained at."""


class CPCHearModel(tf.Module):
    """A loaded CPC model file as HEAR's model object.

    HEAR's tools accept a TensorFlow submission's model only as a `tf.Module`, which a Keras 3
    model is not, so the loaded model is held by one.

    Args:
        features: The loaded model file; it must have a frame geometry, which gives the timestamps.

    Attributes:
        features: As given.
        normalization: Each sound's mean removed and divided by its peak about the mean, as in
            pretraining (floor one int16 step).
        sample_rate: 16000.
        timestamp_embedding_size: Features per frame: dim_c for ``gar.keras``, dim_z for ``genc.h5``.
        scene_embedding_size: The same, since a scene embedding is the mean frame.

    Raises:
        ModelFileError: ``features`` has no encoder whose frames can be placed in time.
    """

    def __init__(self, features: AudioFeatureModel):
        super().__init__(name="cpc_hear")
        if features.geometry is None:
            raise ModelFileError(
                features.subject, ModelFileError.NOT_AUDIO_TO_FEATURES, " (no encoder whose frame times can be read)"
            )
        self.features = features
        self.normalization = PeakNormalization()
        self.sample_rate = SAMPLE_RATE
        self.timestamp_embedding_size = features.dim
        self.scene_embedding_size = features.dim


def load_model(model_file_path: str = "") -> CPCHearModel:
    """Loads a trained model file for HEAR.

    Args:
        model_file_path: ``outputs/gar.keras`` (embeddings c_t) or ``outputs/genc.h5`` (z_t).
            It is required: this toolkit ships no weights to fall back on.

    Returns:
        The `CPCHearModel`.

    Raises:
        ModelFileError: No path was given, or the file is missing, unloadable or not an
            audio → features model with a readable frame geometry.
    """
    if not model_file_path:
        raise ModelFileError(
            "cpc_hear.load_model",
            "needs model_file_path, a trained outputs/gar.keras (c_t) or outputs/genc.h5 (z_t); "
            "there are no default weights",
        )
    return CPCHearModel(AudioFeatureModel.load(model_file_path))


def get_timestamp_embeddings(audio: tf.Tensor, model: CPCHearModel) -> tuple[tf.Tensor, tf.Tensor]:
    """One embedding per encoder frame, with the time of the frame's centre.

    Args:
        audio: ``(n_sounds, n_samples)`` float in [-1, 1] at 16 kHz; each sound is normalised on
            its own, so a sound's embeddings do not depend on the others in the batch.
        model: From `load_model`.

    Returns:
        ``(embeddings, timestamps)``: ``(n_sounds, frames, timestamp_embedding_size)`` float32 and
        ``(n_sounds, frames)`` float32 milliseconds, the centre of each frame's receptive field
        (one hop apart; the first slightly before 0 ms where causal padding reaches before the audio).

    Raises:
        ValueError: ``audio`` is not ``(n_sounds, n_samples)``.
    """
    audio = tf.cast(tf.convert_to_tensor(audio), tf.float32)
    if audio.shape.rank != 2:
        raise ValueError(f"audio must be (n_sounds, n_samples), got shape {tuple(audio.shape)}")
    # A model trained with mixed precision may compute its outputs in float16; HEAR wants float32.
    embeddings = tf.cast(model.features.model(model.normalization(audio), training=False), tf.float32)
    centres_ms = model.features.geometry.centres(embeddings.shape[1]) * 1000 / model.sample_rate
    timestamps = tf.tile(tf.constant(centres_ms, tf.float32)[None, :], [tf.shape(audio)[0], 1])
    return embeddings, timestamps


def get_scene_embeddings(audio: tf.Tensor, model: CPCHearModel) -> tf.Tensor:
    """One embedding per sound: the mean of its timestamp embeddings over frames.

    The mean is what the keyword-spotting linear classifier reads too (``kws_eval``); for
    ``gar.keras`` it averages c_t, each of which already summarises the past.

    Args:
        audio: As for `get_timestamp_embeddings`; at least one hop of samples per sound.
        model: From `load_model`.

    Returns:
        ``(n_sounds, scene_embedding_size)`` float32.
    """
    embeddings, _ = get_timestamp_embeddings(audio, model)
    return tf.reduce_mean(embeddings, axis=1)
