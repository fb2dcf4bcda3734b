"""A whole keyword spotter: audio → normalisation → front end → classifier → logits."""

import keras

from kws_eval.front_end import FrontEnd
from kws_eval.kws_classifier import kws_classifier
from kws_eval.peak_normalization import PeakNormalization


def kws_model(
    front_end: FrontEnd, num_classes: int, filters: tuple[int, int, int], clip_samples: int = 16000, name: str = "kws"
) -> keras.Model:
    """Puts the classifier under a front end, behind per-clip peak normalisation.

    The saved model therefore takes raw one-second clips, as the dataset
    stores them, and needs no preprocessing outside it.

    Args:
        front_end: The front end, frozen or trainable as the row wants.
        num_classes: Number of words.
        filters: Filters of the classifier's three blocks.
        clip_samples: Samples per clip.
        name: Name of the model.

    Returns:
        A `keras.Model` mapping audio `(batch, clip_samples)` float32 in
        [-1, 1] to logits `(batch, num_classes)`.
    """
    audio = keras.Input((clip_samples,), name="audio")
    normalised = PeakNormalization(name="peak_normalization")(audio)
    features = front_end.model(normalised)
    _, num_features = front_end.feature_shape(clip_samples)
    logits = kws_classifier(num_features, num_classes, filters)(features)
    return keras.Model(audio, logits, name=name)
