"""Tests of the classifiers' structure and that they learn features that carry the class."""

import keras
import numpy as np
import pytest

from kws_eval.kws_classifier import image_classifier, kws_classifier, temporal_classifier


def _features_with_a_band_per_class(rng, count, frames=20, num_features=12, classes=3):
    """Noise images where class k has a burst in feature band k, at a random time."""
    labels = rng.integers(0, classes, count)
    features = rng.standard_normal((count, frames, num_features)).astype(np.float32)
    band = num_features // classes
    for example, label in enumerate(labels):
        start = rng.integers(0, frames - 6)
        features[example, start : start + 6, label * band : (label + 1) * band] += 2.0
    return features, labels


def test_image_structure():
    model = image_classifier(40, 30, (32, 64, 128))
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


def test_temporal_structure():
    model = temporal_classifier(40, 30, (64, 128, 256))
    assert model.output_shape == (None, 30)
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv1D)]
    assert [(conv.filters, conv.kernel_size, conv.use_bias) for conv in convs] == [
        (64, (3,), False),
        (64, (3,), False),
        (128, (3,), False),
        (128, (3,), False),
        (256, (3,), False),
        (256, (3,), False),
        (30, (3,), True),
    ]
    # The first convolution sees every feature of 3 frames: 3 x 40 x 64 weights.
    assert convs[0].kernel.shape == (3, 40, 64)
    norms = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    assert len(norms) == 7 and norms[0].name == "input_bn" and norms[0].gamma.shape == (40,)
    assert len([layer for layer in model.layers if isinstance(layer, keras.layers.MaxPooling1D)]) == 3
    assert isinstance(model.layers[-1], keras.layers.GlobalAveragePooling1D)
    assert np.asarray(model(np.zeros((2, 62, 40)))).shape == (2, 30)
    assert np.asarray(model(np.zeros((1, 1, 40)))).shape == (1, 30)


def test_temporal_input_normalisation_puts_every_scale_on_one():
    """Features 1000 times larger and shifted give the same logits in training mode (batch statistics)."""
    keras.utils.set_random_seed(0)
    model = temporal_classifier(6, 3, (4, 4, 4))
    features = np.random.default_rng(0).standard_normal((8, 10, 6)).astype(np.float32)
    np.testing.assert_allclose(
        model(1000 * features - 50, training=True), model(features, training=True), rtol=1e-3, atol=1e-3
    )


@pytest.mark.parametrize("kind", ["temporal", "image"])
def test_input_norm_is_one_batch_normalisation_per_feature_or_none(kind):
    with_norm = kws_classifier(kind, 40, 3, (4, 8, 16), input_norm=True)
    without = kws_classifier(kind, 40, 3, (4, 8, 16), input_norm=False)
    assert with_norm.get_layer("input_bn").gamma.shape == (40,)
    assert "input_bn" not in [layer.name for layer in without.layers]
    assert with_norm.count_params() - without.count_params() == 4 * 40


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown classifier 'rnn'; the classifiers are temporal, image"):
        kws_classifier("rnn", 40, 3, (4, 8, 16))


@pytest.mark.parametrize("kind", ["temporal", "image"])
def test_learns_features_that_carry_the_class(kind):
    rng = np.random.default_rng(0)
    train_x, train_y = _features_with_a_band_per_class(rng, 240)
    test_x, test_y = _features_with_a_band_per_class(rng, 90)
    keras.utils.set_random_seed(0)
    model = kws_classifier(kind, 12, 3, (4, 8, 16))
    model.compile(
        keras.optimizers.Adam(1e-2), keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"]
    )
    model.fit(train_x, train_y, batch_size=16, epochs=4, verbose=0)
    accuracy = np.mean(np.argmax(model.predict(test_x, verbose=0), axis=-1) == test_y)
    assert accuracy > 0.9  # chance is 1/3
