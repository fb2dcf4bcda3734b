"""Tests of the classifier's structure and that it learns features that carry the class."""

import keras
import numpy as np

from kws_eval.kws_classifier import kws_classifier


def _features_with_a_band_per_class(rng, count, frames=20, num_features=12, classes=3):
    """Noise images where class k has a burst in feature band k, at a random time."""
    labels = rng.integers(0, classes, count)
    features = rng.standard_normal((count, frames, num_features)).astype(np.float32)
    band = num_features // classes
    for example, label in enumerate(labels):
        start = rng.integers(0, frames - 6)
        features[example, start : start + 6, label * band : (label + 1) * band] += 2.0
    return features, labels


def test_structure():
    model = kws_classifier(40, 30, (32, 64, 128))
    assert model.output_shape == (None, 30)
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert [(conv.filters, conv.kernel_size) for conv in convs] == [
        (32, (3, 3)),
        (32, (3, 3)),
        (64, (3, 3)),
        (64, (3, 3)),
        (128, (3, 3)),
        (128, (3, 3)),
        (30, (3, 3)),
    ]
    assert len([layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]) == 6
    assert len([layer for layer in model.layers if isinstance(layer, keras.layers.MaxPooling2D)]) == 3
    assert isinstance(model.layers[-1], keras.layers.GlobalAveragePooling2D)
    # "same" padding keeps any frame count usable, down to a single frame.
    assert np.asarray(model(np.zeros((2, 61, 40)))).shape == (2, 30)
    assert np.asarray(model(np.zeros((1, 1, 40)))).shape == (1, 30)


def test_learns_features_that_carry_the_class():
    rng = np.random.default_rng(0)
    train_x, train_y = _features_with_a_band_per_class(rng, 240)
    test_x, test_y = _features_with_a_band_per_class(rng, 90)
    keras.utils.set_random_seed(0)
    model = kws_classifier(12, 3, (4, 8, 16))
    model.compile(
        keras.optimizers.Adam(1e-2), keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"]
    )
    model.fit(train_x, train_y, batch_size=16, epochs=4, verbose=0)
    accuracy = np.mean(np.argmax(model.predict(test_x, verbose=0), axis=-1) == test_y)
    assert accuracy > 0.9  # chance is 1/3
