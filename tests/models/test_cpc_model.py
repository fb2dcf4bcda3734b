import json

import keras
import numpy as np
import pytest
import tensorflow as tf

from losses.gen_targets import TargetSamplingError
from models.ar_model import ar_model
from models.cpc_model import CPCModel, CPCModelError
from models.encoder_spec import ConvLayerSpec, EncoderSpec, resolve_encoder_spec
from models.genc_model import genc_model

# hop 16, 8-dim z: small enough for quick training runs.
TINY_SPEC = EncoderSpec(layers=(ConvLayerSpec(1, 16, 8, 4, 4), ConvLayerSpec(16, 8, 4, 4, 0)), dim_z=8)


def tiny_cpc(**kwargs):
    options = {"pred_steps": 3, "num_neg": 5, "t_skip": 2, "seed": 0, **kwargs}
    return CPCModel(genc_model(TINY_SPEC), ar_model(8, 16), **options)


def chirps(count, length, rng):
    """Noisy chirps with random start frequency and rate: the future is predictable."""
    t = np.arange(length) / length
    start = rng.uniform(16, 80, size=(count, 1))
    rate = rng.uniform(80, 320, size=(count, 1))
    phase = rng.uniform(0, 2 * np.pi, size=(count, 1))
    noise = 0.05 * rng.normal(size=(count, length))
    return (np.sin(2 * np.pi * (start * t + rate * t * t / 2) + phase) + noise).astype(np.float32)


def test_heads_belong_to_the_training_model():
    model = tiny_cpc()
    assert model.built
    kernel, bias = model.predictor.get_weights()
    assert kernel.shape == (16, 3, 8) and bias.shape == (3, 8)
    assert len(model.encoder.weights) == 4 and len(model.ar.weights) == 3
    assert model.chance_accuracy == pytest.approx(1 / 6)


def test_fit_logs_loss_and_accuracy_per_step():
    keras.utils.set_random_seed(1)
    spec = resolve_encoder_spec("seed")
    model = CPCModel(genc_model(spec), ar_model(spec.dim_z), seed=1)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    # 20 frames: t_skip 5 + 10 prediction steps leave 5 scored context steps.
    audio = np.random.default_rng(0).normal(size=(8, 20 * 256)).astype(np.float32)
    dataset = tf.data.Dataset.from_tensor_slices(audio).batch(4)
    history = model.fit(dataset, validation_data=dataset, epochs=2, shuffle=False, verbose=0).history
    names = ["loss"] + [f"accuracy_{k}" for k in range(1, 11)]
    assert set(history) == set(names) | {f"val_{name}" for name in names}
    for name, values in history.items():
        assert len(values) == 2 and np.all(np.isfinite(values)), name
        if "accuracy" in name:
            assert all(0.0 <= value <= 1.0 for value in values), name
    assert history["loss"][0] > 0.5


def test_epoch_metrics_are_example_means_and_reset_between_runs():
    audio = np.random.default_rng(2).normal(size=(5, 16 * 12)).astype(np.float32)
    dataset = tf.data.Dataset.from_tensor_slices(audio).batch(3)
    model = tiny_cpc(seed=9)
    twin = CPCModel.from_config(model.get_config())
    twin.set_weights(model.get_weights())
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    # The twin draws the same negatives as the model, call after call.
    calls = [twin(batch) for _ in range(2) for batch in (audio[:3], audio[3:])]
    for run in range(2):
        first, second = calls[2 * run], calls[2 * run + 1]
        logs = model.evaluate(dataset, verbose=0, return_dict=True)
        expected_loss = (3 * float(first["loss"]) + 2 * float(second["loss"])) / 5
        assert logs["loss"] == pytest.approx(expected_loss, rel=1e-5)
        expected_accuracy = (3 * first["accuracy"].numpy() + 2 * second["accuracy"].numpy()) / 5
        np.testing.assert_allclose([logs[f"accuracy_{k}"] for k in (1, 2, 3)], expected_accuracy, atol=1e-6)
    assert float(calls[0]["loss"]) != float(calls[2]["loss"])


def test_config_and_keras_file_round_trip(tmp_path):
    model = tiny_cpc(pred_steps=4, num_neg=7, negatives="batch", t_skip=1, targets_gradient=True, seed=3)
    config = model.get_config()
    clone = CPCModel.from_config(config)
    assert clone.get_config() == config
    assert (
        clone.pred_steps,
        clone.num_neg,
        clone.negatives,
        clone.t_skip,
        clone.targets_gradient,
        clone.seed,
    ) == (
        4,
        7,
        "batch",
        1,
        True,
        3,
    )
    clone.set_weights(model.get_weights())
    audio = np.random.default_rng(0).normal(size=(3, 16 * 10)).astype(np.float32)
    np.testing.assert_allclose(clone(audio)["loss"], model(audio)["loss"], rtol=1e-6)

    model.save(tmp_path / "cpc.keras")
    loaded = keras.models.load_model(tmp_path / "cpc.keras")
    assert isinstance(loaded, CPCModel)
    # The file stores JSON, which turns the shape tuples into lists.
    assert json.loads(json.dumps(loaded.get_config())) == json.loads(json.dumps(config))
    for saved, restored in zip(model.get_weights(), loaded.get_weights(), strict=True):
        np.testing.assert_array_equal(saved, restored)


def test_training_on_predictable_audio_beats_chance():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    model = tiny_cpc()
    model.compile(optimizer=keras.optimizers.Adam(1e-2))
    train = tf.data.Dataset.from_tensor_slices(chirps(256, 16 * 32, rng)).batch(16)
    model.fit(train, epochs=3, shuffle=False, verbose=0)
    logs = model.evaluate(
        tf.data.Dataset.from_tensor_slices(chirps(64, 16 * 32, rng)).batch(16), verbose=0, return_dict=True
    )
    assert logs["accuracy_1"] > 2.5 * model.chance_accuracy
    assert logs["loss"] < np.log(6) - 0.3


def test_incompatible_parts_and_short_windows_raise():
    with pytest.raises(CPCModelError, match="outputs dim_z=8 but GRU model 'gar' takes 40 features"):
        CPCModel(genc_model(TINY_SPEC), ar_model(40))
    with pytest.raises(TargetSamplingError, match="5 frames leave no context step"):
        tiny_cpc()(np.zeros((2, 16 * 5), np.float32))


def test_mixed_precision_keeps_scores_and_loss_in_float32():
    import keras
    import numpy as np

    from models.ar_model import ar_model
    from models.cpc_model import CPCModel
    from models.encoder_spec import resolve_encoder_spec
    from models.genc_model import genc_model

    keras.mixed_precision.set_dtype_policy("mixed_float16")
    try:
        model = CPCModel(
            genc_model(resolve_encoder_spec("seed")), ar_model(40, 40), pred_steps=3, num_neg=4, t_skip=1, seed=0
        )
        model.compile(optimizer=keras.optimizers.Adam(1e-3))
        audio = np.random.default_rng(0).uniform(-1, 1, (2, 4096)).astype("float32")
        assert model.encoder(audio).dtype == "float16"
        outputs = model(audio)
        assert outputs["loss"].dtype == "float32" and outputs["accuracy"].dtype == "float32"
        assert model.encoder.weights[0].dtype == "float32"
        logs = model.train_on_batch(audio, return_dict=True)
        assert np.isfinite(logs["loss"])
    finally:
        keras.mixed_precision.set_dtype_policy("float32")


# The modified recipe at tiny size: channel norm, ReLU after the last conv too.
TINY_MODIFIED_SPEC = EncoderSpec(
    layers=(ConvLayerSpec(1, 16, 8, 4, 4), ConvLayerSpec(16, 8, 4, 4, 0)), dim_z=8, norm="channel", activate_last=True
)


def tiny_modified_cpc(**kwargs):
    options = {
        "pred_steps": 3,
        "num_neg": 9,
        "t_skip": 2,
        "seed": 0,
        "predictor": "transformer",
        "predictor_dropout": 0.1,
        "negatives": "speaker",
        "windows_per_speaker": 2,
        **kwargs,
    }
    return CPCModel(genc_model(TINY_MODIFIED_SPEC), ar_model(8, 16, cell="lstm", layers=2), **options)


def test_modified_predictions_never_depend_on_later_samples():
    keras.utils.set_random_seed(2)
    model = tiny_modified_cpc()

    def predictions(audio):
        return np.asarray(model.predictor(model.ar(model.encoder(audio))))

    audio = np.random.default_rng(3).normal(size=(2, 16 * 12)).astype(np.float32)
    clean = predictions(audio)
    assert clean.shape == (2, 12, 3, 8)
    for frame in (0, 4, 11):
        changed = audio.copy()
        changed[:, TINY_MODIFIED_SPEC.last_sample(frame) + 1 :] += 1.0
        moved = np.abs(predictions(changed) - clean).max(axis=(2, 3))
        np.testing.assert_array_less(moved[:, : frame + 1], 1e-5)
        if frame < 11:
            assert np.all(moved[:, frame + 1] > 1e-4)


def test_modified_recipe_round_trips_and_learns_beyond_chance():
    model = tiny_modified_cpc()
    config = model.get_config()
    assert (config["predictor"], config["predictor_dropout"], config["windows_per_speaker"]) == ("transformer", 0.1, 2)
    clone = CPCModel.from_config(config)
    assert clone.get_config() == config
    assert [w.shape for w in clone.get_weights()] == [w.shape for w in model.get_weights()]

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    model.compile(optimizer=keras.optimizers.Adam(3e-3))
    model.fit(
        tf.data.Dataset.from_tensor_slices(chirps(256, 16 * 32, rng)).batch(16), epochs=6, shuffle=False, verbose=0
    )
    logs = model.evaluate(
        tf.data.Dataset.from_tensor_slices(chirps(64, 16 * 32, rng)).batch(16), verbose=0, return_dict=True
    )
    assert logs["accuracy_1"] > 2.5 * model.chance_accuracy


def test_contexts_come_from_the_first_audio_and_targets_from_the_second():
    rng = np.random.default_rng(5)
    augmented, clean = (rng.normal(size=(4, 16 * 16)).astype(np.float32) for _ in range(2))
    same_seed = [tiny_cpc(seed=4) for _ in range(2)]
    same_seed[1].set_weights(same_seed[0].get_weights())
    np.testing.assert_allclose(same_seed[0](clean, clean)["loss"], same_seed[1](clean)["loss"], rtol=1e-6)
    for targets_gradient in (False, True):
        model = tiny_cpc(targets_gradient=targets_gradient)
        context_side, target_side = tf.constant(augmented), tf.constant(clean)
        with tf.GradientTape(persistent=True) as tape:
            tape.watch([context_side, target_side])
            loss = model(context_side, target_side)["loss"]
        context_gradient = tape.gradient(loss, context_side)
        target_gradient = tape.gradient(loss, target_side)
        assert np.abs(context_gradient.numpy()).max() > 0
        # Under stop_gradient the clean targets are constants, as in the reference.
        assert (target_gradient is not None and np.abs(target_gradient.numpy()).max() > 0) == targets_gradient


def test_unknown_predictor_is_refused():
    with pytest.raises(CPCModelError, match="predictor must be one of linear, transformer, got 'mlp'"):
        tiny_cpc(predictor="mlp")
