"""Tests of `python -m kws_eval`: a whole run on a demo corpus, and its one-line errors."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
import soundfile

from kws_eval.__main__ import main
from kws_eval.kws_classifier import kws_classifier
from speechcommands.speech_commands_dataset import load_speech_commands

ROWS = ["logmel", "random", "random_ft", "cpc", "cpc_ft", "logmel_linear", "random_linear", "cpc_linear"]
REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
WORDS = ["yes", "no", "left"]


def _base_flags(demo_speech_commands, seed_encoder_path, output_dir):
    return [
        "--speech-commands-dir",
        demo_speech_commands,
        "--encoder",
        seed_encoder_path,
        "--output-dir",
        output_dir,
        "--words",
        ",".join(WORDS),
        "--epochs",
        "1",
        "--batch-size",
        "8",
        "--filters",
        "4,8,16",
        "--min-steps",
        "1",
    ]


@pytest.mark.slow
def test_every_row_in_every_results_file(demo_speech_commands, seed_encoder_path, tmp_path, run_main):
    output_dir = tmp_path / "kws"
    status, captured = run_main(main, _base_flags(demo_speech_commands, seed_encoder_path, output_dir))
    assert status == 0, captured.err
    table = captured.out.strip().splitlines()[-(len(ROWS) + 2) :]
    assert table[0] == "| Representation | Train Accuracy | Validation Accuracy | Test Accuracy | ± one run (95 %) |"

    document = json.loads((output_dir / "results.json").read_text())
    rows = document["rows"]
    assert list(rows) == ROWS
    assert document["recipe"]["epochs"] == 1 and document["recipe"]["seeds"] == [0]
    assert document["recipe"]["filters"] == [4, 8, 16] and document["recipe"]["classifier"] == "auto"
    assert document["recipe"]["time_shift_ms"] == 100.0
    assert document["data"]["words"] == WORDS
    assert document["data"]["clips"] == {"training": 6, "validation": 6, "testing": 6}
    for name, row in rows.items():
        for key in ("train_acc", "val_acc", "test_acc"):
            assert 0.0 <= row[key] <= 1.0
        assert (row["front_end"]["frames"], row["front_end"]["features"]) == (
            (61, 40) if name.startswith("logmel") else (62, 40)
        )
        assert (output_dir / f"confusion_{name}.png").read_bytes()[:4] == b"\x89PNG"
        assert f"| {row['representation']} | {100 * row['train_acc']:.1f} % |" in captured.out
    runs = {run["row"]: run for run in document["runs"]}
    for name in ROWS:
        assert np.sum(runs[name]["test_confusion"]) == 6
        # CNN rows train for 1 epoch of ceil(6 / 8) = 1 step; linear rows are fitted exactly, no epoch.
        assert (runs[name]["steps"], len(runs[name]["history"].get("val_accuracy", []))) == (
            (0, 0) if name.endswith("_linear") else (1, 1)
        )
    # "auto": log-mel gets the image CNN, the encoders the temporal one. Frozen rows train the
    # classifier only; "_ft" rows also the seed encoder's 4 convolutions; linear rows a 40 x 3 softmax.
    assert {name: row["classifier"] for name, row in rows.items()} == {
        "logmel": "image",
        "random": "temporal",
        "random_ft": "temporal",
        "cpc": "temporal",
        "cpc_ft": "temporal",
        "logmel_linear": "linear",
        "random_linear": "linear",
        "cpc_linear": "linear",
    }
    image, temporal = (
        sum(int(np.prod(weight.shape)) for weight in kws_classifier(kind, 40, 3, (4, 8, 16)).trainable_weights)
        for kind in ("image", "temporal")
    )
    assert rows["logmel"]["trainable_params"] == image
    assert rows["random"]["trainable_params"] == rows["cpc"]["trainable_params"] == temporal
    seed_encoder = (8 * 1 + 1) * 64 + (4 * 64 + 1) * 64 + (4 * 64 + 1) * 64 + (4 * 64 + 1) * 40
    assert rows["random_ft"]["trainable_params"] == rows["cpc_ft"]["trainable_params"] == temporal + seed_encoder
    assert {rows[name]["trainable_params"] for name in ROWS if name.endswith("_linear")} == {40 * 3 + 3}
    with (output_dir / "results.csv").open() as file:
        assert [line["row"] for line in csv.DictReader(file)] == ROWS
    markdown = (output_dir / "results.md").read_text()
    assert all(f"| {rows[name]['representation']} |" in markdown for name in ROWS)
    for figure in ("accuracy.png", "training_curves.png"):
        assert (output_dir / figure).read_bytes()[:4] == b"\x89PNG"
    assert not (output_dir / "label_budgets.png").exists() and not (output_dir / "noise.png").exists()
    assert [path.name for path in output_dir.glob(".*")] == [".lock"]  # no temporary file is left

    # A saved model takes raw clips and reproduces the reported test accuracy.
    data = load_speech_commands(demo_speech_commands, WORDS, progress=False)
    test_audio = data.audio["testing"].astype(np.float32) / 32768
    for name in ("logmel", "cpc_ft", "cpc_linear"):
        model = keras.models.load_model(output_dir / f"{name}.keras")
        predicted = np.argmax(model.predict(test_audio, verbose=0), axis=-1)
        assert np.mean(predicted == data.labels["testing"]) == pytest.approx(rows[name]["test_acc"])


@pytest.mark.slow
def test_label_budgets_noise_and_seeds(demo_speech_commands, seed_encoder_path, tmp_path, run_main):
    output_dir = tmp_path / "kws"
    flags = _base_flags(demo_speech_commands, seed_encoder_path, output_dir) + [
        "--rows",
        "logmel,cpc_linear",
        "--train-per-word",
        "1,all",
        "--test-snr",
        "10,0",
        "--seeds",
        "2",
        "--min-steps",
        "3",
        "--seed",
        "4",
    ]
    status, captured = run_main(main, flags)
    assert status == 0, captured.err
    document = json.loads((output_dir / "results.json").read_text())
    plan = [(run["seed"], run["train_per_word"], run["row"]) for run in document["runs"]]
    assert plan == [(seed, budget, row) for seed in (4, 5) for budget in (1, None) for row in ("logmel", "cpc_linear")]
    for run in document["runs"]:
        assert run["train_clips"] == (3 if run["train_per_word"] == 1 else 6)
        assert set(run["noisy_test_acc"]) == {"10", "0"}
        # min-steps 3 with 1 epoch: 3 steps for the CNN row whatever the budget.
        assert run["steps"] == (0 if run["row"] == "cpc_linear" else 3)
    assert document["rows"]["logmel"]["seeds"] == [4, 5]
    assert set(document["label_budgets"]["logmel"]) == {"1", "all"}
    assert set(document["noise"]["cpc_linear"]) == {"10", "0"}
    for figure in ("label_budgets.png", "noise.png", "accuracy.png"):
        assert (output_dir / figure).read_bytes()[:4] == b"\x89PNG"
    # Only the first seed's model on every clip is kept.
    assert sorted(path.name for path in output_dir.glob("*.keras")) == ["cpc_linear.keras", "logmel.keras"]
    assert "| Representation | 1 per word | all clips |" in captured.out
    assert "| Representation | clean | 10 dB | 0 dB |" in captured.out
    assert "± " in captured.out


def _clip_folder(root, sample_rate=16000):
    """Three clips of one word, one per split through the list files."""
    (root / "yes").mkdir(parents=True)
    for speaker in ("aaaaaaaa", "bbbbbbbb", "cccccccc"):
        soundfile.write(root / "yes" / f"{speaker}_nohash_0.wav", np.zeros(sample_rate, np.int16), sample_rate)
    (root / "validation_list.txt").write_text("yes/bbbbbbbb_nohash_0.wav\n")
    (root / "testing_list.txt").write_text("yes/cccccccc_nohash_0.wav\n")
    return root


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--speech-commands-dir", "{tmp}/nowhere", "--rows", "logmel"], "{tmp}/nowhere: no such folder"),
        (["--speech-commands-dir", "{sc}", "--encoder", "{tmp}/genc.h5"], "encoder {tmp}/genc.h5: no such file"),
        (
            ["--speech-commands-dir", "{sc}", "--encoder", "{tmp}/corrupt.h5", "--rows", "logmel,cpc"],
            "encoder {tmp}/corrupt.h5: not a loadable Keras model",
        ),
        (["--speech-commands-dir", "{sc}", "--rows", "logmel", "--words", "yes,maybe"], "maybe: is not a word folder"),
        (["--speech-commands-dir", "{eight_khz}", "--rows", "logmel"], "sample rate is 8000 Hz, expected 16000 Hz"),
        (["--speech-commands-dir", "{sc}", "--rows", "logmel,mfcc"], "--rows: unknown row 'mfcc'"),
        (["--speech-commands-dir", "{sc}", "--epochs", "0"], "--epochs must be at least 1, got 0"),
        (["--speech-commands-dir", "{sc}", "--filters", "8,x,32"], "--filters: expected comma-separated integers"),
        (["--speech-commands-dir", "{sc}", "--recipe", "fast"], "argument --recipe: invalid choice: 'fast'"),
        (["--speech-commands-dir", "{sc}", "--train-per-word", "1,some"], "expected comma-separated integers or 'all'"),
        (["--speech-commands-dir", "{sc}", "--test-snr", "10,loud"], "--test-snr: expected comma-separated numbers"),
        (["--speech-commands-dir", "{sc}", "--seeds", "0"], "--seeds must be at least 1, got 0"),
        (
            ["--speech-commands-dir", "{sc}", "--rows", "logmel", "--train-per-word", "2"],
            "--train-per-word 2: word 'yes' has only 1 training clips",
        ),
        (
            ["--speech-commands-dir", "{no_noise}", "--rows", "logmel", "--test-snr", "5"],
            "_background_noise_: no background noise recordings",
        ),
        (["--rows", "logmel"], "the following arguments are required: --speech-commands-dir"),
    ],
)
def test_bad_input_exits_2_with_one_line_before_training(tmp_path, run_main, flags, message):
    places = {
        "tmp": tmp_path,
        "sc": _clip_folder(tmp_path / "sc"),
        "eight_khz": _clip_folder(tmp_path / "eight_khz", sample_rate=8000),
        "no_noise": _clip_folder(tmp_path / "no_noise"),
    }
    (tmp_path / "corrupt.h5").write_bytes(b"\x89HDF\r\n\x1a\ntruncated")
    output_dir = tmp_path / "out"
    status, captured = run_main(main, [flag.format(**places) for flag in flags] + ["--output-dir", output_dir])
    assert status == 2
    # What a terminal shows: a progress bar cleared with carriage returns leaves nothing.
    lines = [line.rsplit("\r", 1)[-1] for line in captured.err.split("\n")]
    lines = [line for line in lines if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert message.format(**places) in lines[0]
    # Nothing trained and no result written: a bad flag leaves no folder, bad data only the
    # run record that tells what happened.
    if output_dir.exists():
        assert sorted(path.name for path in output_dir.iterdir()) == [".lock", "run.json"]
        record = json.loads((output_dir / "run.json").read_text())
        assert record["status"] == "failed" and message.format(**places) in record["extra"]["error"]


def test_help_documents_every_flag():
    help_text = subprocess.run(
        [sys.executable, "-m", "kws_eval", "-h"], cwd=REPOSITORY_ROOT, capture_output=True, text=True, check=True
    ).stdout
    for flag in (
        "--speech-commands-dir",
        "--encoder",
        "--output-dir",
        "--rows",
        "--epochs",
        "--batch-size",
        "--seed",
        "--words",
        "--lr",
        "--filters",
        "--workers",
        "--recipe",
        "--classifier",
        "--input-norm",
        "--lr-schedule",
        "--time-shift-ms",
        "--crop-frames",
        "--min-steps",
        "--train-per-word",
        "--test-snr",
        "--seeds",
    ):
        assert flag in help_text
    # argparse may wrap the long default anywhere, so compare without whitespace.
    assert f"default:{','.join(ROWS)}" in "".join(help_text.split())


def test_an_output_folder_under_a_regular_file_is_one_line(demo_speech_commands, seed_encoder_path, tmp_path, run_main):
    blocker = tmp_path / "file"
    blocker.write_text("")
    status, captured = run_main(main, _base_flags(demo_speech_commands, seed_encoder_path, blocker / "kws"))
    assert status == 2
    (line,) = captured.err.strip().splitlines()
    assert line.startswith(f"error: {blocker / 'kws'}") and "Not a directory" in line


def test_a_full_disk_is_one_line_and_leaves_no_temporary(demo_speech_commands, seed_encoder_path, tmp_path, small_disk):
    output_dir = tmp_path / "kws"
    flags = _base_flags(demo_speech_commands, seed_encoder_path, output_dir)
    returncode, _, stderr, left = small_disk(
        output_dir, 16, [sys.executable, "-m", "kws_eval", *map(str, flags), "--rows", "logmel"]
    )
    assert returncode == 2, stderr
    line = stderr.splitlines()[-1]
    assert line.startswith(f"error: {output_dir}") and "No space left on device" in line, line
    assert "Traceback" not in stderr
    assert not [name for name in left if ".tmp" in name], left
