"""Streaming real recorded speech in chunks of random sizes gives the offline features."""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf

from extract.feature_extraction import normalize_like_training
from librispeech.audio_file import read_pcm16
from models.ar_model import ar_model
from models.context_model import context_model
from models.cpc_model_file import CpcModelFile
from models.encoder_spec import resolve_encoder_spec
from models.genc_model import genc_model
from models.streaming_context_model import StreamingContextModel
from streaming.__main__ import main

pytestmark = pytest.mark.filterwarnings("ignore:.*tf.lite.Interpreter is deprecated:UserWarning")

SECONDS = 4


def _assert_close(actual, expected):
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=0, atol=2e-5 * max(float(np.abs(expected).max()), 1.0))


def _normalised(path):
    return normalize_like_training(read_pcm16(path))


@pytest.fixture(scope="module")
def two_voices(real_utterances):
    """``(2, SECONDS * 16000)`` float32: the LibriVox reader and the codec2 16 kHz speaker, each normalised."""
    librivox = next(u.source for u in real_utterances.values() if u.source.stem.endswith("0870"))
    codec2 = librivox.parents[1] / "codec2" / "16khz" / "speech_orig_16k.flac"
    return np.stack([_normalised(path)[: SECONDS * 16000] for path in (librivox, codec2)])


@pytest.mark.parametrize("name", ["seed", "paper"])
def test_streamed_z_and_c_of_two_real_voices_equal_the_offline_models(name, two_voices, chunk_lengths):
    spec = resolve_encoder_spec(name)
    keras.utils.set_random_seed(3)
    encoder = genc_model(spec)
    context = context_model(encoder, ar_model(spec.dim_z, dim_c=16))
    model_file = CpcModelFile.from_model(context, name)
    streaming = {features: StreamingContextModel.from_model_file(model_file, features) for features in ("z", "c")}
    offline = {"z": np.asarray(encoder(two_voices)), "c": np.asarray(context(two_voices))}
    assert offline["z"].shape[1] == spec.num_frames(two_voices.shape[1]) == SECONDS * 16000 // spec.hop
    rng = np.random.default_rng(17)
    for _ in range(2):
        lengths = chunk_lengths(rng, two_voices.shape[1])
        assert 0 in lengths and any(0 < length < spec.hop for length in lengths) and max(lengths) > 4 * spec.hop
        for features in ("z", "c"):
            _assert_close(streaming[features].stream(two_voices, lengths), offline[features])


@pytest.fixture(scope="module")
def exported(tmp_path_factory, untrained_seed_models):
    """The ``streaming export`` of the untrained seed gar.keras: its folder."""
    folder = tmp_path_factory.mktemp("export") / "streaming"
    assert main(["export", "--model", str(untrained_seed_models["gar"]), "--output-dir", str(folder)]) == 0
    return folder


@pytest.fixture(scope="module")
def whole_recording(real_utterances, untrained_seed_models):
    """``(audio, c)``: the longest LibriVox recording (7.1 s), normalised, and its offline context."""
    audio = _normalised(max(real_utterances.values(), key=lambda utterance: len(utterance.samples)).source)
    assert len(audio) == 113600
    return audio, np.asarray(untrained_seed_models["context"](audio[None]))[0]


@pytest.mark.slow
def test_the_exported_savedmodel_streams_a_real_recording_to_its_offline_context(
    exported, whole_recording, chunk_lengths
):
    loaded = tf.saved_model.load(str(exported / "saved_model"))
    audio, expected = whole_recording
    state, outputs, start = loaded.initial_state(), [], 0
    for length in chunk_lengths(np.random.default_rng(23), len(audio)):
        features, state = loaded.step(tf.constant(audio[start : start + length]), state)
        outputs.append(features.numpy())
        start += length
    _assert_close(np.concatenate(outputs), expected)


@pytest.mark.slow
def test_the_exported_tflite_file_streams_a_real_recording_to_its_offline_context(
    exported, whole_recording, chunk_lengths
):
    metadata = json.loads((exported / "streaming.json").read_text())
    run = tf.lite.Interpreter(model_path=str(exported / "streaming.tflite")).get_signature_runner("serving_default")
    state = {
        name: np.full(entry["shape"], entry["initial_value"], entry["dtype"])
        for name, entry in metadata["state"].items()
    }
    audio, expected = whole_recording
    outputs, start = [], 0
    for length in chunk_lengths(np.random.default_rng(29), len(audio)):
        result = run(chunk=audio[start : start + length], **state)
        outputs.append(result.pop("features"))
        state = result
        start += length
    _assert_close(np.concatenate(outputs), expected)
