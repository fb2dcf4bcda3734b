"""Tests of the whole keyword spotter: frozen front ends stay frozen, saved models reload."""

import keras
import numpy as np
import pytest

import kws_eval.kws_model  # noqa: F401  (registers the custom layers for loading)
from kws_eval.audio_encoder_file import load_audio_encoder
from kws_eval.front_end import build_front_end
from kws_eval.kws_model import kws_model
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
    model = kws_model(front_end, 3, (4, 8, 16))
    before = [weight.numpy() for weight in front_end.model.weights]
    _one_training_step(model, np.random.default_rng(0))
    changed = [not np.array_equal(old, new) for old, new in zip(before, front_end.model.weights)]
    assert all(changed) if ROWS[row].trainable else not any(changed)


@pytest.mark.parametrize("row, trained", [("logmel", False), ("cpc_ft", True)])
def test_saved_model_reloads_with_the_same_predictions(encoder, row, trained, tmp_path):
    keras.utils.set_random_seed(0)
    model = kws_model(build_front_end(ROWS[row], encoder), 3, (4, 8, 16))
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
