import dataclasses

import keras
import numpy as np
import pytest

from models.ar_model import ar_model
from models.context_model import context_model
from models.encoder_spec import resolve_encoder_spec
from models.frame_geometry import FrameGeometry
from models.genc_model import genc_model
from probes.feature_rows import build_rows, load_feature_network
from probes.probe_config import ProbeConfig, ProbeConfigError

SEED = FrameGeometry(256, 512, -256)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    directory = tmp_path_factory.mktemp("models")
    encoder = genc_model(resolve_encoder_spec("seed"))
    context_model(encoder, ar_model(40, 24)).save(directory / "gar.keras")
    encoder.save(directory / "genc.h5")
    return directory


def _weights(network):
    return np.concatenate([np.ravel(weight) for weight in network.get_weights()])


def test_context_features_come_from_gar_keras_on_its_encoder_frames(saved):
    network, geometry = load_feature_network(ProbeConfig(model=saved / "gar.keras"))
    assert geometry == SEED
    assert network(np.zeros((1, 2560), np.float32)).shape == (1, 10, 24)


@pytest.mark.parametrize("encoder", [None, "genc.h5"])
def test_encoder_features_come_from_the_nested_encoder_or_genc_h5(saved, encoder):
    config = ProbeConfig(model=saved / "gar.keras", features="z", encoder=encoder and saved / encoder)
    network, geometry = load_feature_network(config)
    assert geometry == SEED
    assert network(np.zeros((1, 2560), np.float32)).shape == (1, 10, 40)


def test_a_model_without_encoder_is_refused(tmp_path):
    ar = ar_model(40, 40)
    audio = keras.Input((None,))
    model = keras.Model(audio, ar(keras.layers.Reshape((-1, 40))(audio)))
    model.save(tmp_path / "odd.keras")
    with pytest.raises(ProbeConfigError, match="holds no convolutional encoder"):
        load_feature_network(ProbeConfig(model=tmp_path / "odd.keras"))


def test_rows_random_and_supervised_start_from_the_same_fresh_weights(saved):
    config = ProbeConfig(model=saved / "gar.keras", rows=("supervised", "logmel", "cpc", "random", "mfcc"))
    rows = {row.name: row for row in build_rows(config)}
    assert list(rows) == ["supervised", "logmel", "cpc", "random", "mfcc"]
    np.testing.assert_array_equal(_weights(rows["random"].network), _weights(rows["supervised"].network))
    assert not np.allclose(_weights(rows["random"].network), _weights(rows["cpc"].network))
    assert rows["random"].network is not rows["supervised"].network
    assert [rows[name].trainable for name in ("cpc", "random", "supervised")] == [False, False, True]
    assert {name: rows[name].pooling for name in rows} == {
        "supervised": "last",
        "logmel": "mean",
        "cpc": "last",
        "random": "last",
        "mfcc": "mean",
    }
    assert {name: rows[name].feature_dim for name in rows} == {
        "supervised": 24,
        "logmel": 40,
        "cpc": 24,
        "random": 24,
        "mfcc": 39,
    }
    assert rows["mfcc"].geometry == FrameGeometry(160, 1680, -640)
    assert rows["logmel"].geometry == FrameGeometry(160, 400, 0)
    z_rows = build_rows(dataclasses.replace(config, features="z", rows=("cpc",)))
    assert z_rows[0].pooling == "mean" and z_rows[0].description == f"z_t of {saved / 'gar.keras'}"


def test_front_end_rows_need_no_model(tmp_path):
    rows = build_rows(ProbeConfig(model=tmp_path / "missing.keras", rows=("mfcc", "logmel")))
    assert [row.name for row in rows] == ["mfcc", "logmel"]
