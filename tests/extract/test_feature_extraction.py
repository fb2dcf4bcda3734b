import json
import os
import pathlib
import re
import subprocess
import sys

import keras
import numpy as np
import pytest
import soundfile

from extract.__main__ import main
from extract.feature_extraction import normalize_like_training
from librispeech.audio_file import read_pcm16
from models.encoder_spec import resolve_encoder_spec

SEED = resolve_encoder_spec("seed")


def _offline(model, path):
    """The model's output for one file alone, normalised as in training."""
    return np.asarray(model(normalize_like_training(read_pcm16(path))[None]))[0]


def _assert_close(actual, expected):
    assert actual.dtype == np.float32 and actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-5 * max(float(np.abs(expected).max()), 1.0))


def test_every_file_gets_the_context_of_the_model_run_on_it_alone(
    audio_dir, audio_files, model_files, tmp_path, capsys
):
    out = tmp_path / "features"
    assert main([str(audio_dir), str(out), "--model", str(model_files["gar"]), "--batch-size", "2"]) == 0
    written = sorted(str(path.relative_to(out)) for path in out.rglob("*") if path.is_file())
    # .lock: the folder's lock while a run writes it (see artefacts/folder_lock.py); run.json: the run's record.
    expected = [".lock", "run.json", *(str(pathlib.Path(relative).with_suffix(".npy")) for relative in audio_files)]
    assert written == sorted(expected)
    for relative, (samples, _, _) in audio_files.items():
        features = np.load(out / pathlib.Path(relative).with_suffix(".npy"))
        assert features.shape == (SEED.num_frames(samples), 40) == (samples // 256, 40)
        _assert_close(features, _offline(model_files["context"], audio_dir / relative))
    captured = capsys.readouterr()
    summary = captured.out.strip().splitlines()[-1]
    assert summary.startswith("5 files") and "c frames of 40" in summary
    assert re.search(r"real-time factor [1-9]\d*x \(audio seconds per wall second\)", summary)
    assert "extracting" in captured.err and "5/5" in captured.err
    record = json.loads((out / "run.json").read_text())
    assert record["status"] == "completed" and record["settings"]["model"] == str(model_files["gar"])
    extraction = record["extra"]["extraction"]
    frames = sum(SEED.num_frames(samples) for samples, _, _ in audio_files.values())
    seconds = sum(samples for samples, _, _ in audio_files.values()) / 16000
    assert {key: extraction[key] for key in ("files", "frames", "features", "dim", "hop")} == {
        "files": 5,
        "frames": frames,
        "features": "c",
        "dim": 40,
        "hop": 256,
    }
    assert extraction["audio_seconds"] == round(seconds, 3) and extraction["wall_seconds"] > 0
    assert extraction["real_time_factor"] == pytest.approx(seconds / extraction["wall_seconds"], rel=0.02, abs=0.1)


def test_z_comes_from_the_encoder_inside_gar_or_from_genc(audio_dir, model_files, tmp_path):
    from_gar, from_genc = tmp_path / "gar", tmp_path / "genc"
    assert main([str(audio_dir), str(from_gar), "--model", str(model_files["gar"]), "--features", "z"]) == 0
    assert main([str(audio_dir), str(from_genc), "--model", str(model_files["genc"]), "--batch-size", "1"]) == 0
    for relative in ("long.npy", "speaker/chapter/three.npy"):
        _assert_close(np.load(from_gar / relative), np.load(from_genc / relative))
    _assert_close(np.load(from_genc / "a.npy"), _offline(model_files["encoder"], audio_dir / "a.wav"))


def test_only_the_listed_extensions_are_read(audio_dir, model_files, tmp_path):
    out = tmp_path / "features"
    assert main([str(audio_dir), str(out), "--model", str(model_files["genc"]), "--extensions", ".WAV"]) == 0
    assert sorted(str(path.relative_to(out)) for path in out.rglob("*.npy")) == ["a.npy", "speaker/chapter/two.npy"]


def test_symbolic_links_to_folders_are_followed_but_not_round_a_loop(audio_dir, model_files, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    os.replace(audio_dir / "a.wav", other / "moved.wav")
    (audio_dir / "linked").symlink_to(other)
    (audio_dir / "speaker" / "loop").symlink_to(audio_dir)
    out = tmp_path / "features"
    assert main([str(audio_dir), str(out), "--model", str(model_files["genc"])]) == 0
    assert (out / "linked" / "moved.npy").is_file()
    assert not (out / "speaker" / "loop").exists()


def test_normalisation_removes_the_mean_and_divides_by_the_peak_as_in_training():
    np.testing.assert_allclose(normalize_like_training(np.array([100, -300, 200, 0], np.int16)), [1 / 3, -1, 2 / 3, 0])
    # Mean 1000.5, so the peak around it is 1.5.
    np.testing.assert_allclose(
        normalize_like_training(np.array([999, 1000, 1001, 1002], np.int16)), [-1, -1 / 3, 1 / 3, 1], rtol=1e-6
    )
    assert not normalize_like_training(np.zeros(10, np.int16)).any()


def _corrupt(folder):
    (folder / "speaker" / "bad.flac").write_bytes(b"fLaC but not really")
    return "bad.flac: unreadable or corrupt audio"


def _truncated(folder):
    path = folder / "long.flac"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return "long.flac: unreadable or corrupt audio"


def _wrong_rate(folder):
    soundfile.write(folder / "fast.wav", np.zeros(800, np.int16), 8000)
    return "fast.wav: sample rate is 8000 Hz, expected 16000 Hz"


def _stereo(folder):
    soundfile.write(folder / "stereo.wav", np.zeros((800, 2), np.int16), 16000)
    return "stereo.wav: has 2 channels, expected mono"


def _same_output(folder):
    soundfile.write(folder / "a.flac", np.zeros(800, np.int16), 16000)
    return "a.wav: its features would overwrite those of"


def _not_audio_model(folder):
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(3)])
    model.save(folder / "dense.keras")
    return "dense.keras: not an audio → features model"


@pytest.mark.parametrize(
    "spoil, arguments",
    [
        (lambda folder: "missing: no such folder", ["{audio}/missing", "{out}", "--model", "{gar}"]),
        (lambda folder: "no audio files (.mp3)", ["{audio}", "{out}", "--model", "{gar}", "--extensions", "mp3"]),
        (_corrupt, ["{audio}", "{out}", "--model", "{gar}"]),
        (_truncated, ["{audio}", "{out}", "--model", "{gar}"]),
        (_wrong_rate, ["{audio}", "{out}", "--model", "{gar}"]),
        (_stereo, ["{audio}", "{out}", "--model", "{gar}"]),
        (_same_output, ["{audio}", "{out}", "--model", "{gar}"]),
        (_not_audio_model, ["{audio}", "{out}", "--model", "{audio}/dense.keras"]),
        (lambda folder: "nope.keras: no such model file", ["{audio}", "{out}", "--model", "{audio}/nope.keras"]),
        (
            lambda folder: "an encoder without a GRU gives z only",
            ["{audio}", "{out}", "--model", "{genc}", "--features", "c"],
        ),
        (
            lambda folder: "the batch size must be a positive integer, got 0",
            ["{audio}", "{out}", "--model", "{gar}", "--batch-size", "0"],
        ),
    ],
    ids=[
        "missing-dir",
        "no-audio",
        "corrupt",
        "truncated",
        "8-khz",
        "stereo",
        "same-output",
        "not-audio-model",
        "missing-model",
        "c-from-encoder",
        "batch-size-0",
    ],
)
def test_bad_input_prints_one_line_naming_the_problem_and_exits_2(
    spoil, arguments, audio_dir, model_files, tmp_path, capsys
):
    message = spoil(audio_dir)
    values = {"audio": audio_dir, "out": tmp_path / "features", "gar": model_files["gar"], "genc": model_files["genc"]}
    assert main([argument.format(**values) for argument in arguments]) == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith("error: ") and message in error
    assert "Traceback" not in error


def test_the_command_line_prints_the_real_time_factor(audio_dir, model_files, tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "extract",
            str(audio_dir),
            str(tmp_path / "features"),
            "--model",
            str(model_files["genc"]),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    factor = re.search(r"real-time factor (\d+)x", result.stdout)
    assert factor and int(factor.group(1)) > 0
    assert len(list((tmp_path / "features").rglob("*.npy"))) == 5


def test_a_run_stopped_by_an_unreadable_file_is_recorded_as_failed(audio_dir, model_files, tmp_path, capsys):
    # Its header reads, its data do not: found when its batch is read, inside the run.
    _truncated(audio_dir)
    out = tmp_path / "features"
    assert main([str(audio_dir), str(out), "--model", str(model_files["gar"])]) == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    record = json.loads((out / "run.json").read_text())
    assert record["status"] == "failed" and "extraction" not in record["extra"]
    assert record["extra"]["error"]["type"] == "ExtractionError"
    assert error == f"error: {record['extra']['error']['message']}"


def test_an_output_folder_under_a_regular_file_is_one_line(audio_dir, model_files, tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main([str(audio_dir), str(blocker / "features"), "--model", str(model_files["genc"])]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"error: {blocker / 'features'}") and "Not a directory" in error and error.count("\n") == 1


@pytest.mark.parametrize("features", ["c", "z"])
def test_files_longer_than_a_batch_are_run_in_chunks_with_the_offline_output(
    audio_dir, audio_files, model_files, tmp_path, monkeypatch, features
):
    from extract import feature_extraction

    read_whole = []
    original = feature_extraction.read_pcm16
    monkeypatch.setattr(feature_extraction, "read_pcm16", lambda path: read_whole.append(path) or original(path))
    out = tmp_path / features
    # 1 s batches: long.flac (3 s) and three.flac (2 s) run in 1 s chunks through the streaming model.
    assert (
        main(
            [
                str(audio_dir),
                str(out),
                "--model",
                str(model_files["gar"]),
                "--features",
                features,
                "--max-batch-seconds",
                "1",
            ]
        )
        == 0
    )
    assert sorted(path.name for path in read_whole) == ["one.flac", "two.WAV"]
    network = model_files["context"] if features == "c" else model_files["encoder"]
    for relative in audio_files:
        _assert_close(
            np.load(out / pathlib.Path(relative).with_suffix(".npy")), _offline(network, audio_dir / relative)
        )
    assert [path.name for path in out.rglob(".*")] == [".lock"]  # no temporary file is left


@pytest.mark.parametrize("max_batch_seconds", ["30", "0.5"], ids=["batched", "in-chunks"])
def test_a_full_disk_is_one_line_naming_the_file_and_leaves_no_temporary(
    audio_dir, model_files, tmp_path, small_disk, max_batch_seconds
):
    output_dir = tmp_path / "features"
    returncode, _, stderr, left = small_disk(
        output_dir,
        12,
        [
            sys.executable,
            "-m",
            "extract",
            str(audio_dir),
            str(output_dir),
            "--model",
            str(model_files["gar"]),
            "--max-batch-seconds",
            max_batch_seconds,
        ],
    )
    assert returncode == 2, stderr
    line = stderr.strip().splitlines()[-1]
    assert re.fullmatch(
        rf"error: {re.escape(str(output_dir))}/(\S+/)?\.\S+\.npy\.tmp: No space left on device", line
    ), line
    assert "Traceback" not in stderr
    assert left and not [name for name in left if ".tmp" in name], left
