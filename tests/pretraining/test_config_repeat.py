"""``train.py --config <run>/config.json`` repeats a run: the same settings, a flag beside it overriding one."""

import json
import pathlib
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def _train(*args):
    result = subprocess.run([sys.executable, "train.py", *map(str, args)], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]


def test_a_run_repeated_from_its_config_json_has_the_same_settings(tmp_path, convert_tiny_corpus):
    tfrecords = convert_tiny_corpus(tmp_path / "LibriSpeech")
    first, second = tmp_path / "first", tmp_path / "second"
    _train(
        "--data-dir",
        tfrecords,
        "--batch-size",
        "4",
        "--window",
        "8192",
        "--epochs",
        "1",
        "--steps-per-epoch",
        "2",
        "--lr",
        "0.002",
        "--encoder",
        "modified-small",
        "--negatives",
        "sequence",
        "--output-dir",
        first,
    )
    _train("--config", first / "config.json", "--output-dir", second)
    settings = json.loads((first / "config.json").read_text())
    assert settings["optimisation"]["lr"] == 0.002 and settings["model"]["encoder"] == "modified-small"
    settings["runtime"]["output_dir"] = str(second)
    assert json.loads((second / "config.json").read_text()) == settings
    assert (second / "genc.h5").is_file()
