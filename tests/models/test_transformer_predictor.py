import keras
import numpy as np
import pytest

from models.transformer_predictor import TransformerPredictor


def built_predictor(**kwargs):
    keras.utils.set_random_seed(3)
    predictor = TransformerPredictor(pred_steps=3, dim_z=5, num_heads=2, **kwargs)
    predictor.build((None, None, 8))
    return predictor


def test_predicts_every_step_from_each_frame_and_never_looks_ahead():
    predictor = built_predictor()
    context = np.random.default_rng(0).normal(size=(2, 7, 8)).astype(np.float32)
    predictions = np.asarray(predictor(context))
    assert predictions.shape == (2, 7, 3, 5)
    for frame in (0, 3, 6):
        changed = context.copy()
        changed[:, frame:] += 1.0
        moved = np.abs(np.asarray(predictor(changed)) - predictions).max(axis=(2, 3))
        np.testing.assert_array_less(moved[:, :frame], 1e-5)
        assert np.all(moved[:, frame] > 1e-3)


def test_dropout_acts_in_training_only():
    predictor = built_predictor(dropout=0.5)
    context = np.random.default_rng(1).normal(size=(2, 6, 8)).astype(np.float32)
    inference = np.asarray(predictor(context, training=False))
    np.testing.assert_allclose(np.asarray(predictor(context)), inference, atol=1e-6)
    assert np.abs(np.asarray(predictor(context, training=True)) - inference).max() > 1e-2


def test_config_round_trip_rebuilds_the_same_layer():
    predictor = built_predictor(feedforward_dim=12, dropout=0.1)
    config = predictor.get_config()
    assert {key: config[key] for key in ("pred_steps", "dim_z", "num_heads", "feedforward_dim", "dropout")} == {
        "pred_steps": 3,
        "dim_z": 5,
        "num_heads": 2,
        "feedforward_dim": 12,
        "dropout": 0.1,
    }
    clone = TransformerPredictor.from_config(config)
    clone.build((None, None, 8))
    clone.set_weights(predictor.get_weights())
    context = np.random.default_rng(2).normal(size=(1, 4, 8)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(clone(context)), np.asarray(predictor(context)), atol=1e-6)


def test_heads_must_divide_the_context():
    with pytest.raises(ValueError, match="3 heads do not divide the context size 8"):
        TransformerPredictor(pred_steps=2, dim_z=4, num_heads=3).build((None, None, 8))
