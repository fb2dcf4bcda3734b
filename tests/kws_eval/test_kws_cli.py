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
from speechcommands.speech_commands_dataset import load_speech_commands

ROWS = ["logmel", "random", "random_ft", "cpc", "cpc_ft"]
REPOSITORY_ROOT = Path(__file__).resolve().parents[2]


def _run(argv, capsys):
    try:
        status = main([str(argument) for argument in argv])
    except SystemExit as exit_request:
        status = exit_request.code
    return status, capsys.readouterr()


@pytest.mark.slow
def test_every_row_in_every_results_file(demo_speech_commands, seed_encoder_path, tmp_path, capsys):
    output_dir = tmp_path / "kws"
    status, captured = _run(
        [
            "--speech-commands-dir",
            demo_speech_commands,
            "--encoder",
            seed_encoder_path,
            "--output-dir",
            output_dir,
            "--words",
            "yes,no,left",
            "--epochs",
            "1",
            "--batch-size",
            "8",
            "--filters",
            "4,8,16",
        ],
        capsys,
    )
    assert status == 0, captured.err
    table = captured.out.strip().splitlines()[-7:]
    assert table[0] == "| Representation | Train Accuracy | Validation Accuracy | Test Accuracy |"

    rows = json.loads((output_dir / "results.json").read_text())
    assert list(rows) == ROWS
    for name, row in rows.items():
        for key in ("train_acc", "val_acc", "test_acc"):
            assert 0.0 <= row[key] <= 1.0
        assert row["recipe"]["epochs"] == 1 and row["recipe"]["seed"] == 0 and row["recipe"]["filters"] == [4, 8, 16]
        assert row["data"]["words"] == ["yes", "no", "left"]
        assert row["data"]["clips"] == {"training": 6, "validation": 6, "testing": 6}
        assert len(row["history"]["val_accuracy"]) == 1
        assert (row["front_end"]["frames"], row["front_end"]["features"]) == (
            (61, 40) if name == "logmel" else (62, 40)
        )
        assert np.sum(row["test_confusion"]) == 6
        assert (output_dir / f"confusion_{name}.png").read_bytes()[:4] == b"\x89PNG"
        assert f"| {row['representation']} | {100 * row['train_acc']:.1f} % |" in captured.out
    # Frozen rows train the classifier only; "_ft" rows also the seed encoder's 4 convolutions.
    classifier = rows["logmel"]["trainable_params"]
    assert rows["random"]["trainable_params"] == rows["cpc"]["trainable_params"] == classifier
    seed_encoder = (8 * 1 + 1) * 64 + (4 * 64 + 1) * 64 + (4 * 64 + 1) * 64 + (4 * 64 + 1) * 40
    assert rows["random_ft"]["trainable_params"] == rows["cpc_ft"]["trainable_params"] == classifier + seed_encoder
    with (output_dir / "results.csv").open() as file:
        assert [line["row"] for line in csv.DictReader(file)] == ROWS
    markdown = (output_dir / "results.md").read_text()
    assert all(f"| {rows[name]['representation']} |" in markdown for name in ROWS)
    for figure in ("accuracy.png", "training_curves.png"):
        assert (output_dir / figure).read_bytes()[:4] == b"\x89PNG"
    assert not list(output_dir.glob(".*"))

    # A saved model takes raw clips and reproduces the reported test accuracy.
    data = load_speech_commands(demo_speech_commands, ["yes", "no", "left"], progress=False)
    test_audio = data.audio["testing"].astype(np.float32) / 32768
    for name in ("logmel", "cpc_ft"):
        model = keras.models.load_model(output_dir / f"{name}.keras")
        predicted = np.argmax(model.predict(test_audio, verbose=0), axis=-1)
        assert np.mean(predicted == data.labels["testing"]) == pytest.approx(rows[name]["test_acc"])


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
        (["--rows", "logmel"], "the following arguments are required: --speech-commands-dir"),
    ],
)
def test_bad_input_exits_2_with_one_line_before_training(tmp_path, capsys, flags, message):
    places = {
        "tmp": tmp_path,
        "sc": _clip_folder(tmp_path / "sc"),
        "eight_khz": _clip_folder(tmp_path / "eight_khz", sample_rate=8000),
    }
    (tmp_path / "corrupt.h5").write_bytes(b"\x89HDF\r\n\x1a\ntruncated")
    output_dir = tmp_path / "out"
    status, captured = _run([flag.format(**places) for flag in flags] + ["--output-dir", output_dir], capsys)
    assert status == 2
    # What a terminal shows: a progress bar cleared with carriage returns leaves nothing.
    lines = [line.rsplit("\r", 1)[-1] for line in captured.err.split("\n")]
    lines = [line for line in lines if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert message.format(**places) in lines[0]
    # Nothing trained and no result written: a bad flag leaves no folder, bad data only the
    # run record that tells what happened.
    if output_dir.exists():
        assert [path.name for path in output_dir.iterdir()] == ["run.json"]
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
    ):
        assert flag in help_text
    assert "default: logmel,random,random_ft,cpc,cpc_ft" in " ".join(help_text.split())
