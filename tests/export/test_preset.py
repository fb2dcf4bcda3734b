"""The preset folder: `python -m export preset` and `CPCFeatures.from_preset`, on tiny untrained models."""

import json

import keras
import numpy as np
import pytest

from export.__main__ import main
from export.toolkit_version import TOOLKIT_VERSION
from extract.feature_extraction import normalize_like_training
from models.ar_model import ar_model
from models.context_model import context_model
from models.cpc_features import CPCFeatures
from models.encoder_spec import ConvLayerSpec, EncoderSpec
from models.genc_model import genc_model

# Hop 4 * 2 = 8 samples, receptive field 1 + 3 + 3 * 4 = 16, first sample 8 - 16 = -8.
TINY = EncoderSpec((ConvLayerSpec(1, 4, 4, 4, 0), ConvLayerSpec(4, 6, 4, 2, 2)), 6)
FILES = ("config.json", "model.weights.h5", "preprocessor.json", "metadata.json")


def _gar(folder, spec=TINY, cell="gru", seed=3):
    keras.utils.set_random_seed(seed)
    model = context_model(genc_model(spec), ar_model(spec.dim_z, 5, cell=cell))
    model.save(folder / "gar.keras")
    return model


def _int16(samples, seed):
    return np.random.default_rng(seed).normal(40, 3000, samples).clip(-32768, 32767).astype(np.int16)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A run folder (gar.keras, config.json, metrics.json, run.json), its model and its exported preset."""
    folder = tmp_path_factory.mktemp("run")
    model = _gar(folder)
    (folder / "config.json").write_text(
        json.dumps({"data": {"train_split": "train-clean-100"}, "resolved": {"train_splits": [{"split": "a"}]}})
    )
    metrics = {"steps": 12, "epochs": 2, "val_accuracy_per_step": {"1": 0.5, "2": 0.25}}
    (folder / "metrics.json").write_text(json.dumps(metrics))
    (folder / "run.json").write_text(json.dumps({"git": {"commit": "abc123", "dirty": False}, "data": []}))
    preset = folder / "preset"
    assert main(["preset", "--model", str(folder / "gar.keras"), str(preset)]) == 0
    return folder, model, preset


def test_the_cli_writes_every_file_with_the_run_s_metadata(run, capsys):
    folder, _, preset = run
    assert sorted(path.name for path in preset.iterdir()) == sorted([".lock", *FILES])
    config = json.loads((preset / "config.json").read_text())
    assert (config["hop"], config["receptive_field"], config["first_sample"]) == (8, 16, -8)
    assert (config["dim_z"], config["dim_c"], config["ar"]) == (6, 5, {"cell": "gru", "layers": 1, "dim_c": 5})
    assert config["encoder"]["conv_dims"] == [[1, 4, 4, 4, 0, 1], [4, 6, 4, 2, 2, 1], 6]
    assert [(layer["name"], layer["hop"], layer["dim"]) for layer in config["hidden_states"]] == [
        ("conv_1", 4, 4),
        ("z", 8, 6),
        ("c", 8, 5),
    ]
    preprocessor = json.loads((preset / "preprocessor.json").read_text())
    assert (preprocessor["sampling_rate"], preprocessor["padding_value"], preprocessor["padding_side"]) == (
        16000,
        0.0,
        "right",
    )
    assert preprocessor["normalization"]["floor"] == 1 / 32768
    metadata = json.loads((preset / "metadata.json").read_text())
    assert metadata["toolkit_version"] == TOOLKIT_VERSION and metadata["git"]["commit"] == "abc123"
    assert metadata["steps"] == 12 and metadata["val_accuracy_per_step"] == {"1": 0.5, "2": 0.25}
    assert metadata["training_data"]["data"] == {"train_split": "train-clean-100"}


def test_the_preset_gives_the_model_s_own_features_on_normalised_audio(run):
    _, model, preset = run
    features = CPCFeatures.from_preset(preset)
    pcm = _int16(300, 1)
    batch = features([pcm / 32768.0])
    expected = np.asarray(model(normalize_like_training(pcm)[None]))
    np.testing.assert_allclose(batch.c, expected, rtol=0, atol=1e-6)
    encoder = model.layers[1]
    np.testing.assert_allclose(batch.z, np.asarray(encoder(normalize_like_training(pcm)[None])), rtol=0, atol=1e-6)
    assert batch.hidden_states is None


def test_masks_and_times_of_two_lengths_and_each_layer_s_hop(run):
    _, model, preset = run
    features = CPCFeatures.from_preset(preset, hidden_states=True)
    short, long = _int16(23, 2) / 32768.0, _int16(50, 3) / 32768.0
    batch = features([short, long])
    # z: frame j reads samples 8j - 8 .. 8j + 7, so 23 samples give 2 frames, 50 give 6.
    assert batch.z.shape == (2, 6, 6) and batch.c.shape == (2, 6, 5)
    np.testing.assert_array_equal(batch.mask.sum(axis=1), [2, 6])
    np.testing.assert_allclose(batch.times[0], (8 * np.arange(6) - 0.5) / 16000)
    names = [layer.name for layer in batch.hidden_states]
    assert names == ["conv_1", "z", "c"]
    conv_1 = batch.hidden_states[0]
    # conv_1: hop 4, frame j reads samples 4j .. 4j + 3: 5 frames of 23 samples, 12 of 50.
    assert conv_1.features.shape == (2, 12, 4) and conv_1.geometry.hop == 4
    np.testing.assert_array_equal(conv_1.mask.sum(axis=1), [5, 12])
    np.testing.assert_allclose(conv_1.times[1], (4 * np.arange(12) + 1.5) / 16000)
    # A kept frame is the model's output for its waveform alone.
    alone = features([short])
    np.testing.assert_allclose(batch.c[0, :2], alone.c[0, :2], rtol=0, atol=1e-6)
    np.testing.assert_allclose(batch.hidden_states[0].features[0, :5], alone.hidden_states[0].features[0, :5])


def test_channel_norm_and_lstm_models_rebuild_exactly(tmp_path):
    spec = EncoderSpec(TINY.layers, 6, norm="channel", activate_last=True)
    model = _gar(tmp_path, spec, cell="lstm", seed=4)
    assert main(["preset", "--model", str(tmp_path / "gar.keras"), str(tmp_path / "preset")]) == 0
    audio = normalize_like_training(_int16(100, 5))
    batch = CPCFeatures.from_preset(tmp_path / "preset")([audio])
    np.testing.assert_allclose(batch.c, np.asarray(model(audio[None])), rtol=0, atol=1e-6)
    metadata = json.loads((tmp_path / "preset" / "metadata.json").read_text())
    assert metadata["git"] is None and metadata["steps"] is None


def test_bad_inputs_are_one_line_errors(run, tmp_path, capsys):
    folder, _, preset = run
    assert main(["preset", "--model", str(tmp_path / "missing.keras"), str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.strip().endswith("no such model file")
    encoder = tmp_path / "genc.keras"
    genc_model(TINY).save(encoder)
    assert main(["preset", "--model", str(encoder), str(tmp_path / "out")]) == 2
    assert "GRU or LSTM" in capsys.readouterr().err
    broken_run = tmp_path / "run"
    broken_run.mkdir()
    (broken_run / "gar.keras").write_bytes((folder / "gar.keras").read_bytes())
    (broken_run / "metrics.json").write_text("[1,")
    assert main(["preset", "--model", str(broken_run / "gar.keras"), str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ") and "metrics.json: not readable JSON" in error and error.count("\n") == 1
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in ("config.json", "model.weights.h5", "preprocessor.json"):
        (broken / name).write_bytes((preset / name).read_bytes())
    (broken / "config.json").write_text("{not json")
    with pytest.raises(ValueError, match=r"config.json: not readable JSON"):
        CPCFeatures.from_preset(broken)
    (broken / "config.json").write_text(json.dumps({"encoder": {}}))
    with pytest.raises(ValueError, match=r"config.json: not a preset architecture \(missing 'ar'\)"):
        CPCFeatures.from_preset(broken)
    (broken / "config.json").write_bytes((preset / "config.json").read_bytes())
    (broken / "preprocessor.json").unlink()
    with pytest.raises(ValueError, match=r"preprocessor.json: no such file"):
        CPCFeatures.from_preset(broken)
    with pytest.raises(ValueError, match="non-empty 1-D"):
        CPCFeatures.from_preset(preset)([np.zeros((2, 3))])
    # A file the command did not write stays.
    (preset / "notes.txt").write_text("mine")
    assert main(["preset", "--model", str(folder / "gar.keras"), str(preset)]) == 0
    assert (preset / "notes.txt").read_text() == "mine"
    (preset / "notes.txt").unlink()
