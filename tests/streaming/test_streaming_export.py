import json
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from models.ar_model import ar_model
from models.context_model import context_model
from models.encoder_spec import resolve_encoder_spec
from models.genc_model import genc_model
from streaming.__main__ import main

pytestmark = pytest.mark.filterwarnings("ignore:.*tf.lite.Interpreter is deprecated:UserWarning")

SAMPLES = 16000 * 2 + 123


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """An untrained seed gar.keras, 2 s of noise with its offline c and z, and the CLI's exports."""
    folder = tmp_path_factory.mktemp("export")
    keras.utils.set_random_seed(4)
    encoder = genc_model(resolve_encoder_spec("seed"))
    context = context_model(encoder, ar_model(40, 40))
    context.save(folder / "gar.keras")
    audio = np.random.default_rng(3).uniform(-1, 1, SAMPLES).astype(np.float32)
    assert main(["export", "--model", str(folder / "gar.keras"), "--output-dir", str(folder / "any")]) == 0
    assert (
        main(
            [
                "export",
                "--model",
                str(folder / "gar.keras"),
                "--output-dir",
                str(folder / "fixed"),
                "--features",
                "z",
                "--tflite-chunk",
                "2560",
            ]
        )
        == 0
    )
    return {
        "folder": folder,
        "audio": audio,
        "c": np.asarray(context(audio[None]))[0],
        "z": np.asarray(encoder(audio[None]))[0],
    }


def _uneven_lengths(total):
    rng = np.random.default_rng(5)
    lengths = [0, 1, 100, 255, 0, 3000]
    while sum(lengths) < total:
        lengths.append(int(min(rng.integers(1, 2000), total - sum(lengths))))
    return lengths


def _assert_close(actual, expected):
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=0, atol=2e-5 * max(float(np.abs(expected).max()), 1.0))


def test_the_cli_writes_a_savedmodel_a_tflite_file_and_the_metadata(exported):
    folder = exported["folder"] / "any"
    assert sorted(path.name for path in folder.iterdir()) == [
        ".lock",
        "saved_model",
        "streaming.json",
        "streaming.tflite",
    ]
    metadata = json.loads((folder / "streaming.json").read_text())
    assert {key: metadata[key] for key in ("features", "dim", "sample_rate", "hop", "receptive_field")} == {
        "features": "c",
        "dim": 40,
        "sample_rate": 16000,
        "hop": 256,
        "receptive_field": 512,
    }
    assert metadata["chunk_samples"] == {"saved_model": None, "tflite": None}
    assert metadata["state"]["conv_1_buffer"] == {"shape": [1, 7, 1], "dtype": "float32", "initial_value": 0.0}
    assert metadata["state"]["conv_4_offset"] == {"shape": [], "dtype": "int32", "initial_value": 1}
    assert metadata["state"]["gru_state"]["shape"] == [1, 40]
    assert json.loads((exported["folder"] / "fixed" / "streaming.json").read_text())["chunk_samples"]["tflite"] == 2560


def test_the_savedmodel_served_chunk_by_chunk_equals_the_offline_context(exported):
    loaded = tf.saved_model.load(str(exported["folder"] / "any" / "saved_model"))
    audio, state, outputs, start = exported["audio"], loaded.initial_state(), [], 0
    for length in _uneven_lengths(len(audio)):
        features, state = loaded.step(tf.constant(audio[start : start + length]), state)
        outputs.append(features.numpy())
        start += length
    _assert_close(np.concatenate(outputs), exported["c"])


def test_the_savedmodel_serving_signature_takes_flat_named_tensors(exported):
    loaded = tf.saved_model.load(str(exported["folder"] / "any" / "saved_model"))
    serve = loaded.signatures["serving_default"]
    state = loaded.signatures["initial_state"]()
    audio, outputs = exported["audio"], []
    for start in range(0, len(audio), 4000):
        result = serve(chunk=tf.constant(audio[start : start + 4000]), **state)
        outputs.append(result.pop("features").numpy())
        state = result
    _assert_close(np.concatenate(outputs), exported["c"])


def test_the_tflite_file_takes_chunks_of_any_length(exported):
    folder = exported["folder"] / "any"
    metadata = json.loads((folder / "streaming.json").read_text())
    interpreter = tf.lite.Interpreter(model_path=str(folder / "streaming.tflite"))
    run = interpreter.get_signature_runner("serving_default")
    state = {
        name: np.full(entry["shape"], entry["initial_value"], entry["dtype"])
        for name, entry in metadata["state"].items()
    }
    audio, outputs, start = exported["audio"], [], 0
    for length in _uneven_lengths(len(audio)):
        result = run(chunk=audio[start : start + length], **state)
        outputs.append(result.pop("features"))
        state = result
        start += length
    _assert_close(np.concatenate(outputs), exported["c"])


def test_the_fixed_chunk_tflite_file_gives_ten_z_frames_per_chunk(exported):
    folder = exported["folder"] / "fixed"
    metadata = json.loads((folder / "streaming.json").read_text())
    interpreter = tf.lite.Interpreter(model_path=str(folder / "streaming.tflite"))
    (chunk_input,) = [detail for detail in interpreter.get_input_details() if "chunk" in detail["name"]]
    assert list(chunk_input["shape"]) == [2560]
    run = interpreter.get_signature_runner("serving_default")
    state = {
        name: np.full(entry["shape"], entry["initial_value"], entry["dtype"])
        for name, entry in metadata["state"].items()
    }
    audio, outputs = exported["audio"], []
    for start in range(0, len(audio) - 2560 + 1, 2560):
        result = run(chunk=audio[start : start + 2560], **state)
        outputs.append(result.pop("features"))
        state = result
    assert [len(frames) for frames in outputs] == [10] * 12
    _assert_close(np.concatenate(outputs), exported["z"][:120])


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--model", "{folder}/missing.keras"], "missing.keras: no such model file"),
        (["--model", "{folder}/gar.keras", "--tflite-chunk", "0"], "the TFLite chunk must be a positive number"),
    ],
)
def test_bad_exports_print_one_error_line_and_exit_2(exported, arguments, message, capsys):
    folder = exported["folder"]
    arguments = [argument.format(folder=folder) for argument in arguments]
    assert main(["export", *arguments, "--output-dir", str(folder / "bad")]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ") and message in error and error.count("\n") == 1
    assert not (folder / "bad").exists()


def test_an_output_folder_under_a_regular_file_is_one_line(exported, tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["export", "--model", str(exported["folder"] / "gar.keras"), "--output-dir", str(blocker / "out")]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"error: {blocker / 'out'}") and "Not a directory" in error and error.count("\n") == 1


@pytest.mark.parametrize("failing", ["saved_model", "streaming.tflite"])
def test_a_full_disk_is_one_line_and_leaves_nothing_half_written(exported, tmp_path, small_disk, tmpfs_kib, failing):
    # Room for nothing, or for the SavedModel alone, so that the TFLite file is what fails.
    kib = 16 if failing == "saved_model" else tmpfs_kib(exported["folder"] / "any" / "saved_model") + 16
    output_dir = tmp_path / "out"
    returncode, _, stderr, left = small_disk(
        output_dir,
        kib,
        [
            sys.executable,
            "-m",
            "streaming",
            "export",
            "--model",
            str(exported["folder"] / "gar.keras"),
            "--output-dir",
            str(output_dir),
        ],
    )
    assert returncode == 2, stderr
    assert stderr.strip().splitlines()[-1] == f"error: {output_dir / f'.{failing}.tmp'}: No space left on device"
    assert "Traceback" not in stderr
    assert not [name for name in left if ".tmp" in name], left
