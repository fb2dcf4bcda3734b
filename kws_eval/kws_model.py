"""Whole keyword spotters: audio → normalisation → front end → classifier → logits."""

import keras
import numpy as np

from kws_eval.front_end import FrontEnd
from kws_eval.kws_classifier import kws_classifier
from models.peak_normalization import PeakNormalization


def kws_model(
    front_end: FrontEnd,
    num_classes: int,
    classifier: str,
    filters: tuple[int, int, int],
    input_norm: bool = True,
    clip_samples: int = 16000,
    crop_frames: int = 0,
    name: str = "kws",
) -> keras.Model:
    """Puts a CNN classifier under a front end, behind per-clip peak normalisation.

    The saved model therefore takes raw one-second clips, as the dataset
    stores them, and needs no preprocessing outside it.

    Args:
        front_end: The front end, frozen or trainable as the row wants.
        num_classes: Number of words.
        classifier: "temporal" or "image" (see `kws_classifier`).
        filters: Filters of the classifier's three blocks.
        input_norm: Batch-normalise the front end's features at the classifier's input.
        clip_samples: Samples per clip.
        crop_frames: Frames dropped from the start of the features.
        name: Name of the model.

    Returns:
        A `keras.Model` mapping audio `(batch, clip_samples)` float32 in
        [-1, 1] to logits `(batch, num_classes)`.
    """
    audio = keras.Input((clip_samples,), name="audio")
    features = _cropped_features(front_end, audio, clip_samples, crop_frames)
    _, num_features = front_end.feature_shape(clip_samples)
    logits = kws_classifier(classifier, num_features, num_classes, filters, input_norm)(features)
    return keras.Model(audio, logits, name=name)


def mean_frame_model(front_end: FrontEnd, clip_samples: int = 16000, crop_frames: int = 0) -> keras.Model:
    """Audio `(batch, clip_samples)` → the mean of the front end's frames `(batch, features)`,
    the first `crop_frames` frames left out."""
    audio = keras.Input((clip_samples,), name="audio")
    features = _cropped_features(front_end, audio, clip_samples, crop_frames)
    pooled = keras.layers.GlobalAveragePooling1D(name="mean_frame")(features)
    return keras.Model(audio, pooled, name="mean_frame")


def linear_kws_model(
    front_end: FrontEnd,
    mean: np.ndarray,
    variance: np.ndarray,
    kernel: np.ndarray,
    bias: np.ndarray,
    clip_samples: int = 16000,
    crop_frames: int = 0,
    name: str = "kws",
) -> keras.Model:
    """A linear softmax on the mean frame of a frozen front end, with weights already fitted.

    Args:
        front_end: The frozen front end.
        mean: `(features,)` mean of the training clips' mean frames.
        variance: `(features,)` their variance; the features are standardised by both.
        kernel: `(features, classes)` weights of the standardised features.
        bias: `(classes,)` offsets.
        clip_samples: Samples per clip.
        crop_frames: Frames left out of the mean.
        name: Name of the model.

    Returns:
        A `keras.Model` mapping audio `(batch, clip_samples)` to logits `(batch, classes)`.
    """
    pooled = mean_frame_model(front_end, clip_samples, crop_frames)
    standardised = keras.layers.Normalization(mean=mean, variance=variance, name="standardise")(pooled.output)
    linear = keras.layers.Dense(kernel.shape[1], name="linear")
    logits = linear(standardised)
    linear.set_weights([kernel.astype(np.float32), bias.astype(np.float32)])
    return keras.Model(pooled.input, logits, name=name)


def _cropped_features(front_end: FrontEnd, audio, clip_samples: int, crop_frames: int):
    """The front end's features `(batch, frames - crop_frames, features)` of peak-normalised audio.

    Raises:
        ValueError: `crop_frames` leaves no frame.
    """
    frames, _ = front_end.feature_shape(clip_samples)
    if crop_frames >= frames:
        raise ValueError(f"cropping {crop_frames} frames leaves none of the front end's {frames}")
    features = front_end.model(PeakNormalization(name="peak_normalization")(audio))
    if not crop_frames:
        return features
    return keras.layers.Cropping1D((crop_frames, 0), name="crop_first_frames")(features)
