import json

import keras
import numpy as np
import pytest
import soundfile
import tensorflow as tf
from ai_edge_litert.interpreter import Interpreter

from models.ar_model import ar_model
from models.context_model import context_model
from models.encoder_spec import resolve_encoder_spec
from models.genc_model import genc_model
from streaming.__main__ import main
from streaming.representative_audio import synthetic_speech
from streaming.tflite_chunks import cosine_similarities, run_in_chunks

pytestmark = pytest.mark.filterwarnings("ignore:.*tf.lite.Interpreter is deprecated:UserWarning")

# Seed 0 is the export's own check speech; these utterances are held out from it.
HELD_OUT_SEED = 1
CHUNK = 2560


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """An untrained seed gar.keras, held-out speech with its offline c, and an int8 export."""
    folder = tmp_path_factory.mktemp("litert")
    keras.utils.set_random_seed(4)
    context = context_model(genc_model(resolve_encoder_spec("seed")), ar_model(40, 40))
    context.save(folder / "gar.keras")
    speech = synthetic_speech(HELD_OUT_SEED, 3)
    arguments = ["export", "--model", str(folder / "gar.keras"), "--output-dir", str(folder / "out")]
    assert main([*arguments, "--quantize", "int8"]) == 0
    return {
        "folder": folder,
        "out": folder / "out",
        "speech": speech,
        "c": [np.asarray(context(audio[None]))[0] for audio in speech],
        "state": _initial_state(folder / "out"),
    }


def _initial_state(folder):
    metadata = json.loads((folder / "streaming.json").read_text())
    return {
        name: np.full(entry["shape"], entry["initial_value"], entry["dtype"])
        for name, entry in metadata["state"].items()
    }


def _uneven_lengths(total):
    rng = np.random.default_rng(6)
    lengths = [0, 1, 100, 255, 0, 3000]
    while sum(lengths) < total:
        lengths.append(int(min(rng.integers(1, 4000), total - sum(lengths))))
    return lengths


def test_litert_gives_the_features_of_tf_lite_and_of_the_offline_model(exported):
    litert = Interpreter(model_path=str(exported["out"] / "streaming.tflite"))
    tf_lite = tf.lite.Interpreter(model_path=str(exported["out"] / "streaming.tflite"))
    for audio, offline in zip(exported["speech"], exported["c"], strict=True):
        lengths = _uneven_lengths(len(audio))
        actual = run_in_chunks(litert, exported["state"], audio, lengths)
        tolerance = 2e-5 * max(float(np.abs(offline).max()), 1.0)
        assert actual.shape == offline.shape
        np.testing.assert_allclose(actual, run_in_chunks(tf_lite, exported["state"], audio, lengths), atol=tolerance)
        np.testing.assert_allclose(actual, offline, rtol=0, atol=tolerance)


def test_the_int8_file_is_smaller_and_close_to_the_float_features_on_held_out_speech(exported):
    float_path, int8_path = exported["out"] / "streaming.tflite", exported["out"] / "streaming_int8.tflite"
    assert int8_path.stat().st_size < 0.5 * float_path.stat().st_size
    float_file, int8_file = Interpreter(model_path=str(float_path)), Interpreter(model_path=str(int8_path))
    similarities = []
    for audio in exported["speech"]:
        lengths = [CHUNK] * (len(audio) // CHUNK)
        expected = run_in_chunks(float_file, exported["state"], audio, lengths)
        actual = run_in_chunks(int8_file, exported["state"], audio, lengths)
        assert actual.shape == expected.shape == (len(audio) // CHUNK * 10, 40)
        similarities.append(cosine_similarities(actual, expected))
    similarities = np.concatenate(similarities)
    # Measured on this model: mean 0.99995, lowest frame 0.9999.
    assert similarities.mean() >= 0.999 and similarities.min() >= 0.99


def test_the_metadata_records_the_int8_file_and_its_check(exported):
    int8 = json.loads((exported["out"] / "streaming.json").read_text())["int8"]
    assert int8["file"] == "streaming_int8.tflite"
    assert int8["check_audio"] == "synthesized demo speech"
    assert int8["mean_cosine_to_float"] >= 0.99


def test_a_representative_dir_of_wav_files_checks_a_fixed_chunk_int8_file(exported, capsys):
    audio_dir = exported["folder"] / "audio"
    audio_dir.mkdir()
    for number, audio in enumerate(exported["speech"]):
        soundfile.write(audio_dir / f"{number}.wav", audio * 0.5, 16000, subtype="PCM_16")
    output_dir = exported["folder"] / "fixed"
    arguments = ["export", "--model", str(exported["folder"] / "gar.keras"), "--output-dir", str(output_dir)]
    assert (
        main([*arguments, "--tflite-chunk", str(CHUNK), "--quantize", "int8", "--representative-dir", str(audio_dir)])
        == 0
    )
    assert "streaming_int8.tflite (mean cosine similarity to float" in capsys.readouterr().out
    assert json.loads((output_dir / "streaming.json").read_text())["int8"]["check_audio"] == str(audio_dir)
    interpreter = Interpreter(model_path=str(output_dir / "streaming_int8.tflite"))
    (chunk_input,) = [detail for detail in interpreter.get_input_details() if "chunk" in detail["name"]]
    assert list(chunk_input["shape"]) == [CHUNK]


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--representative-dir", "{folder}"], "--representative-dir is for --quantize int8"),
        (["--quantize", "int8", "--no-tflite"], "--quantize writes a TFLite file"),
        (["--quantize", "int8", "--representative-dir", "{folder}/missing"], "missing: no such folder"),
        (["--quantize", "int8", "--representative-dir", "{folder}/out/saved_model"], "no .flac or .wav files"),
    ],
)
def test_bad_quantize_arguments_print_one_error_line_and_exit_2(exported, arguments, message, capsys):
    folder = exported["folder"]
    arguments = [argument.format(folder=folder) for argument in arguments]
    assert main(["export", "--model", str(folder / "gar.keras"), *arguments, "--output-dir", str(folder / "bad")]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ") and message in error and error.count("\n") == 1
    assert not (folder / "bad").exists()
