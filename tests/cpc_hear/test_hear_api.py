"""The HEAR 2021 API contract of `cpc_hear`, as hearvalidator 2021.0.6 checks it and beyond.

hearvalidator itself needs Python < 3.9 and torch (see test_hearvalidator.py), so these tests
assert what it checks (a `tf.Module` with int sizes and a valid sample rate; float32 tensors of
``(n, T, D)`` and ``(n, T)``; timestamps evenly spaced and within the audio; scene ``(n, D)``),
and the values: frame centres of the seed geometry, the model run on normalised audio, the mean.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

import cpc_hear
from models.model_file_error import ModelFileError

DIMS = {"gar": 8, "genc": 40}
# hearvalidator's lengths in seconds: two sounds each for the timestamps, four of 2.74 s for the scene.
VALIDATOR_LENGTHS = (1.07, 1.98, 4.0)


@pytest.fixture(scope="module")
def models(hear_model_files):
    return {kind: cpc_hear.load_model(str(path)) for kind, path in hear_model_files.items()}


def _noise(num_sounds: int, seconds: float, seed: int = 0) -> tf.Tensor:
    """White noise in [-1, 1), as hearvalidator passes it."""
    return tf.random.stateless_uniform((num_sounds, int(seconds * 16000)), (seed, 19), -1.0, 1.0)


@pytest.mark.parametrize("kind", sorted(DIMS))
def test_load_model_gives_a_tf_module_with_hear_attributes(models, kind):
    model = models[kind]
    assert isinstance(model, tf.Module)
    assert model.sample_rate == 16000
    assert type(model.timestamp_embedding_size) is int and model.timestamp_embedding_size == DIMS[kind]
    assert type(model.scene_embedding_size) is int and model.scene_embedding_size == DIMS[kind]


def test_load_model_refuses_an_empty_path_and_a_missing_file_in_one_line(tmp_path):
    with pytest.raises(ModelFileError, match="^cpc_hear.load_model: needs model_file_path") as empty:
        cpc_hear.load_model()
    with pytest.raises(ModelFileError, match="no such model file"):
        cpc_hear.load_model(str(tmp_path / "gar.keras"))
    assert "\n" not in str(empty.value)


def test_a_model_whose_frames_cannot_be_placed_is_refused(tmp_path):
    audio = keras.Input((None,))
    frames = keras.layers.GRU(4, return_sequences=True)(keras.layers.Reshape((-1, 1))(audio))
    keras.Model(audio, frames).save(tmp_path / "gru.keras")
    with pytest.raises(ModelFileError, match="no encoder whose frame times can be read"):
        cpc_hear.load_model(str(tmp_path / "gru.keras"))


@pytest.mark.parametrize("kind", sorted(DIMS))
@pytest.mark.parametrize("seconds", VALIDATOR_LENGTHS)
def test_timestamp_embeddings_have_hear_shapes_and_frame_centre_times(models, kind, seconds):
    embeddings, timestamps = cpc_hear.get_timestamp_embeddings(_noise(2, seconds), models[kind])
    samples = int(seconds * 16000)
    # Seed geometry: hop 256, receptive field 512, frame 0 from sample -256, so frame j's centre
    # is sample -256 + 256 j + 511 / 2 = 256 j - 0.5, i.e. 16 j - 1 / 32 ms; one frame per full hop.
    frames = samples // 256
    assert embeddings.dtype == tf.float32 and timestamps.dtype == tf.float32
    assert embeddings.shape == (2, frames, DIMS[kind]) and timestamps.shape == (2, frames)
    expected = 16 * np.arange(frames) - 1 / 32
    np.testing.assert_allclose(timestamps.numpy(), np.stack([expected, expected]), rtol=0, atol=1e-4)
    # hearvalidator's checks: even spacing within 1 ms, nothing after the audio's end, a start
    # within one interval of 0 and an end within one interval of the audio's end.
    spacing = np.diff(timestamps.numpy())
    assert np.all(np.abs(spacing - 16) < 1e-3)
    assert timestamps.numpy().max() <= 1000 * seconds
    assert timestamps.numpy().min() <= 16 and timestamps.numpy().max() >= 1000 * seconds - 50
    assert np.all(np.isfinite(embeddings.numpy()))


@pytest.mark.parametrize("kind", sorted(DIMS))
def test_embeddings_are_the_model_on_each_sound_normalised_as_in_training(models, kind):
    rng = np.random.default_rng(3)
    # A DC offset and two scales: normalisation removes the mean and divides by the peak about it.
    audio = (0.3 * rng.uniform(-1, 1, (2, 8000)) + np.array([[0.2], [-0.05]])).astype(np.float32)
    audio[1] *= 0.01
    centred = audio - audio.mean(axis=1, keepdims=True)
    normalised = centred / np.maximum(np.abs(centred).max(axis=1, keepdims=True), 1 / 32768)
    embeddings, _ = cpc_hear.get_timestamp_embeddings(tf.constant(audio), models[kind])
    expected = models[kind].features.model(normalised, training=False)
    np.testing.assert_allclose(embeddings.numpy(), np.asarray(expected), rtol=1e-4, atol=1e-5)
    # Batch independence: each sound alone gives its rows of the batch.
    for index in range(2):
        alone, _ = cpc_hear.get_timestamp_embeddings(tf.constant(audio[index : index + 1]), models[kind])
        np.testing.assert_allclose(alone.numpy()[0], embeddings.numpy()[index], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("kind", sorted(DIMS))
def test_scene_embeddings_are_the_mean_timestamp_embedding(models, kind):
    audio = _noise(4, 2.74, seed=1)
    scene = cpc_hear.get_scene_embeddings(audio, models[kind])
    embeddings, _ = cpc_hear.get_timestamp_embeddings(audio, models[kind])
    assert scene.dtype == tf.float32 and scene.shape == (4, models[kind].scene_embedding_size)
    np.testing.assert_allclose(scene.numpy(), embeddings.numpy().mean(axis=1), rtol=1e-5, atol=1e-6)
    assert np.all(np.isfinite(scene.numpy()))


def test_audio_must_be_sounds_by_samples(models):
    with pytest.raises(ValueError, match=r"\(n_sounds, n_samples\)"):
        cpc_hear.get_timestamp_embeddings(tf.zeros(16000), models["genc"])
