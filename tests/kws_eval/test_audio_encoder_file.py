"""Tests of loading an encoder file and of what is refused as one."""

import keras
import numpy as np
import pytest

from kws_eval.front_end import load_audio_encoder
from models.model_file_error import ModelFileError


def test_loads_the_encoder_train_py_saves(seed_encoder_path):
    encoder = load_audio_encoder(seed_encoder_path)
    assert np.asarray(encoder(np.zeros((3, 16000), np.float32))).shape == (3, 62, 40)


def test_loads_a_keras_format_encoder_with_another_geometry(tmp_path):
    audio = keras.Input((None,))
    x = keras.layers.Reshape((-1, 1))(audio)
    x = keras.layers.Conv1D(8, 400, strides=160)(x)
    keras.Model(audio, keras.layers.GRU(12, return_sequences=True)(x)).save(tmp_path / "gru.keras")
    encoder = load_audio_encoder(tmp_path / "gru.keras")
    assert np.asarray(encoder(np.zeros((1, 16000), np.float32))).shape == (1, 98, 12)


def _dense_model(path):
    inputs = keras.Input((10,))
    keras.Model(inputs, keras.layers.Dense(3)(inputs)).save(path)


def _fixed_length_encoder(path):
    audio = keras.Input((20480,))
    x = keras.layers.Reshape((-1, 1))(audio)
    keras.Model(audio, keras.layers.Conv1D(4, 512, strides=256)(x)).save(path)


def _too_short_encoder(path):
    audio = keras.Input((None,))
    x = keras.layers.Reshape((-1, 1))(audio)
    keras.Model(audio, keras.layers.Conv1D(4, 20000, strides=256)(x)).save(path)


@pytest.mark.parametrize(
    "name, write, message",
    [
        ("missing.h5", lambda path: None, "no such file (train one with train.py"),
        ("corrupt.h5", lambda path: path.write_bytes(b"\x89HDF\r\n\x1a\nnot really"), "not a loadable Keras model"),
        ("text.keras", lambda path: path.write_text("hello"), "not a loadable Keras model"),
        ("dense.keras", _dense_model, "not an audio encoder: it maps (None, 10) to (None, 3)"),
        ("fixed.keras", _fixed_length_encoder, "not an audio encoder: it maps (None, 20480) to (None, 79, 4)"),
        (
            "short.keras",
            _too_short_encoder,
            "fails on a 16000-sample clip (InvalidArgumentError: Computed output size would be negative",
        ),
    ],
)
def test_unusable_files_are_refused_in_one_line(tmp_path, name, write, message):
    path = tmp_path / name
    write(path)
    with pytest.raises(ModelFileError) as error:
        load_audio_encoder(path)
    assert str(error.value).startswith(f"encoder {path}: ")
    assert message in str(error.value)
    assert "\n" not in str(error.value)
