"""Tests of the whole keyword spotter: frozen front ends stay frozen, saved models reload."""

import keras
import numpy as np
import pytest

import kws_eval.kws_model  # noqa: F401  (registers the custom layers for loading)
from kws_eval.front_end import build_front_end, load_audio_encoder
from kws_eval.kws_model import kws_model, linear_kws_model, mean_frame_model
from kws_eval.kws_row import ROWS


@pytest.fixture(scope="module")
def encoder(seed_encoder_path):
    return load_audio_encoder(seed_encoder_path)


def _one_training_step(model, rng):
    model.compile(keras.optimizers.Adam(1e-2), keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    audio = rng.uniform(-0.5, 0.5, (4, 16000)).astype(np.float32)
    model.fit(audio, np.arange(4) % 3, batch_size=4, epochs=1, verbose=0)


@pytest.mark.parametrize("row", ["cpc", "random_ft"])
def test_only_ft_rows_change_the_encoder_in_training(encoder, row):
    keras.utils.set_random_seed(0)
    front_end = build_front_end(ROWS[row], encoder)
    model = kws_model(front_end, 3, "temporal", (4, 8, 16))
    before = [weight.numpy() for weight in front_end.model.weights]
    _one_training_step(model, np.random.default_rng(0))
    changed = [not np.array_equal(old, new) for old, new in zip(before, front_end.model.weights)]
    assert all(changed) if ROWS[row].trainable else not any(changed)


@pytest.mark.parametrize("row, classifier, trained", [("logmel", "image", False), ("cpc_ft", "temporal", True)])
def test_saved_model_reloads_with_the_same_predictions(encoder, row, classifier, trained, tmp_path):
    keras.utils.set_random_seed(0)
    model = kws_model(build_front_end(ROWS[row], encoder), 3, classifier, (4, 8, 16))
    rng = np.random.default_rng(1)
    if trained:  # so that moved batch-norm statistics and encoder weights must be saved too
        _one_training_step(model, rng)
    model.save(tmp_path / f"{row}.keras")
    restored = keras.models.load_model(tmp_path / f"{row}.keras")
    audio = rng.uniform(-0.1, 0.1, (2, 16000)).astype(np.float32)
    assert restored.input_shape == (None, 16000) and restored.output_shape == (None, 3)
    np.testing.assert_allclose(
        restored.predict(audio, verbose=0), model.predict(audio, verbose=0), rtol=1e-5, atol=1e-5
    )
    # The model normalises its input: the scale and offset of a clip do not matter.
    np.testing.assert_allclose(
        restored.predict(3 * audio + 0.1, verbose=0), restored.predict(audio, verbose=0), rtol=1e-4, atol=1e-4
    )


def test_linear_model_is_the_softmax_of_the_standardised_mean_frame(encoder, tmp_path):
    keras.utils.set_random_seed(0)
    front_end = build_front_end(ROWS["cpc_linear"], encoder)
    rng = np.random.default_rng(2)
    mean, variance = rng.standard_normal(40), rng.uniform(0.5, 2.0, 40)
    kernel, bias = rng.standard_normal((40, 3)), rng.standard_normal(3)
    model = linear_kws_model(front_end, mean, variance, kernel, bias)
    audio = rng.uniform(-0.3, 0.3, (2, 16000)).astype(np.float32)
    centred = audio - audio.mean(axis=1, keepdims=True)
    frames = np.asarray(encoder(centred / np.abs(centred).max(axis=1, keepdims=True)))
    expected = ((frames.mean(axis=1) - mean) / np.sqrt(variance)) @ kernel + bias
    np.testing.assert_allclose(model.predict(audio, verbose=0), expected, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(
        mean_frame_model(front_end).predict(audio, verbose=0), frames.mean(axis=1), rtol=1e-4, atol=1e-6
    )
    # Only the linear layer counts as trained, and the saved model reloads.
    assert sum(int(np.prod(w.shape)) for w in model.trainable_weights) == 40 * 3 + 3
    model.save(tmp_path / "cpc_linear.keras")
    restored = keras.models.load_model(tmp_path / "cpc_linear.keras")
    np.testing.assert_allclose(restored.predict(audio, verbose=0), expected, rtol=1e-4, atol=1e-4)


def test_cropped_frames_are_left_out_of_the_mean_and_the_classifier(encoder):
    front_end = build_front_end(ROWS["cpc_linear"], encoder)
    rng = np.random.default_rng(3)
    audio = rng.uniform(-0.3, 0.3, (2, 16000)).astype(np.float32)
    centred = audio - audio.mean(axis=1, keepdims=True)
    frames = np.asarray(encoder(centred / np.abs(centred).max(axis=1, keepdims=True)))
    np.testing.assert_allclose(
        mean_frame_model(front_end, crop_frames=3).predict(audio, verbose=0),
        frames[:, 3:].mean(axis=1),
        rtol=1e-4,
        atol=1e-6,
    )
    # The classifier reads frames 3 .. 61 only.
    keras.utils.set_random_seed(0)
    model = kws_model(front_end, 3, "temporal", (4, 8, 16), crop_frames=3)
    classifier = model.get_layer("classifier")
    np.testing.assert_allclose(
        model.predict(audio, verbose=0), classifier(frames[:, 3:], training=False), rtol=1e-4, atol=1e-5
    )
    assert not np.allclose(classifier(frames[:, 3:], training=False), classifier(frames, training=False), atol=1e-5)
    with pytest.raises(ValueError, match="cropping 62 frames leaves none of the front end's 62"):
        kws_model(front_end, 3, "temporal", (4, 8, 16), crop_frames=62)
