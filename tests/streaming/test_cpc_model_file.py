import keras
import numpy as np
import pytest

from models.cpc_model_file import CpcModelFile
from models.encoder_spec import resolve_encoder_spec
from models.model_file_error import ModelFileError


def test_a_saved_context_model_is_read_back_with_its_geometry(models_for, tmp_path):
    spec, encoder, context = models_for("seed")
    context.save(tmp_path / "gar.keras")
    loaded = CpcModelFile.load(tmp_path / "gar.keras")
    assert loaded.spec.layers == spec.layers
    assert (loaded.spec.hop, loaded.spec.receptive_field) == (256, 512)
    assert loaded.activations == ("relu", "relu", "relu", "linear")
    assert loaded.gru.units == 6 and loaded.default_features() == "c"
    assert loaded.encoder.name == "genc" and loaded.dim("z") == 40 and loaded.dim("c") == 6
    assert loaded.network("z") is loaded.encoder and loaded.network("c") is loaded.model


def test_keras_causal_padding_counts_as_left_padding():
    audio = keras.Input((None,))
    x = keras.layers.Reshape((-1, 1))(audio)
    x = keras.layers.Conv1D(3, 4, strides=2, padding="causal")(x)
    x = keras.layers.Conv1D(2, 3, dilation_rate=2, padding="causal")(x)
    loaded = CpcModelFile.from_model(keras.Model(audio, x), "causal")
    assert [layer.padding for layer in loaded.spec.layers] == [3, 4]
    assert loaded.default_features() == "z"


def _encoder_then(*layers):
    audio = keras.Input((None,))
    x = keras.layers.Reshape((-1, 1))(audio)
    x = keras.layers.Conv1D(4, 4, strides=2)(x)
    for layer in layers:
        x = layer(x)
    return keras.Model(audio, x)


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: _encoder_then(keras.layers.Conv1D(3, 3, padding="same")), "only 'valid' or 'causal' padding"),
        (lambda: _encoder_then(keras.layers.ZeroPadding1D((0, 2)), keras.layers.Conv1D(3, 3)), "pads on the right"),
        (lambda: _encoder_then(keras.layers.GRU(3, return_sequences=True, go_backwards=True)), "run forwards"),
        (lambda: _encoder_then(keras.layers.BatchNormalization()), "'batch_normalization.*' .*is not supported"),
        (lambda: _encoder_then(keras.layers.GRU(3, return_sequences=True), keras.layers.Dense(2)), "follows the GRU"),
        (lambda: keras.Sequential([keras.Input((5,)), keras.layers.Dense(3)]), "maps \\(None, 5\\) to \\(None, 3\\)"),
        (
            lambda: keras.Sequential([keras.Input((None, 3)), keras.layers.GRU(3, return_sequences=True)]),
            "expected \\(batch, samples\\)",
        ),
    ],
)
def test_models_that_are_not_causal_audio_encoders_are_refused(build, message):
    with pytest.raises(ModelFileError, match=f"^odd: .*{message}"):
        CpcModelFile.from_model(build(), "odd")


def test_missing_unreadable_and_wrong_files_are_named(tmp_path):
    with pytest.raises(ModelFileError, match="nope.keras: no such model file"):
        CpcModelFile.load(tmp_path / "nope.keras")
    garbage = tmp_path / "garbage.keras"
    garbage.write_bytes(b"not a zip file")
    with pytest.raises(ModelFileError, match="garbage.keras: not a loadable Keras model"):
        CpcModelFile.load(garbage)
    dense = tmp_path / "dense.keras"
    keras.Sequential([keras.Input((5,)), keras.layers.Dense(3)]).save(dense)
    with pytest.raises(ModelFileError, match="dense.keras: not an audio → features model"):
        CpcModelFile.load(dense)


@pytest.mark.parametrize("name", ["seed", "dilated"])
def test_features_of_equals_the_network_for_z_and_c(models_for, tmp_path, name):
    _, _, context = models_for(name)
    context.save(tmp_path / "gar.keras")
    loaded = CpcModelFile.load(tmp_path / "gar.keras")
    audio = np.random.default_rng(1).uniform(-1, 1, (2, 3000)).astype(np.float32)
    for features in ("z", "c"):
        expected = np.asarray(loaded.network(features)(audio))
        np.testing.assert_allclose(np.asarray(loaded.features_of(audio, features)), expected, rtol=1e-5, atol=1e-6)
    with pytest.raises(ModelFileError, match="gar.keras: unknown features 'x'"):
        loaded.features_of(audio, "x")


def test_context_features_are_refused_for_an_encoder_alone(models_for):
    _, encoder, _ = models_for("seed")
    loaded = CpcModelFile.from_model(encoder, "genc.h5")
    with pytest.raises(ModelFileError, match="genc.h5: an encoder without a GRU gives z only"):
        loaded.network("c")
    with pytest.raises(ModelFileError, match="genc.h5: an encoder without a GRU gives z only"):
        loaded.features_of(np.zeros((1, 512), np.float32), "c")
    assert loaded.spec.layers == resolve_encoder_spec("seed").layers


def test_the_run_check_catches_a_model_whose_frames_differ_from_its_layers(models_for):
    _, encoder, _ = models_for("seed")
    loaded = CpcModelFile.from_model(encoder, "genc.h5")
    paper = resolve_encoder_spec("paper")
    mismatched = CpcModelFile(loaded.path, encoder, encoder, paper, loaded.convolutions, loaded.activations, None)
    with pytest.raises(ModelFileError, match="genc.h5: gives 8 frames for 2196 samples where its layers give 13"):
        mismatched._check_causal()
