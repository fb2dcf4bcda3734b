"""`python -m probes` on a tiny demo corpus with an untrained gar.keras: every row, every file."""

import csv
import json
import os
import subprocess
import sys

import pytest

from models.ar_model import ar_model
from models.context_model import context_model
from models.encoder_spec import resolve_encoder_spec
from models.genc_model import genc_model
from probes.__main__ import main

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROWS = ["cpc", "random", "mfcc", "logmel", "supervised"]
PNG = b"\x89PNG\r\n\x1a\n"

pytestmark = pytest.mark.slow


def _run_script(*args):
    result = subprocess.run([sys.executable, *map(str, args)], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A demo corpus of 3 training speakers × 3 utterances, converted, and an untrained model."""
    root = tmp_path_factory.mktemp("probes_e2e")
    librispeech = root / "LibriSpeech"
    _run_script(
        "-m",
        "demo",
        "librispeech",
        librispeech,
        "--train-speakers",
        3,
        "--dev-speakers",
        1,
        "--utterances-per-speaker",
        3,
    )
    _run_script("tfrecords.py", "train-clean-100", "--librispeech-dir", librispeech, "--quiet")
    encoder = genc_model(resolve_encoder_spec("seed"))
    context_model(encoder, ar_model(40, 40)).save(root / "gar.keras")
    encoder.save(root / "genc.h5")
    return root


def _probe(demo, task, *flags, output="probes", capsys=None):
    argv = [
        task,
        "--tfrecords",
        demo / "tfrecords" / "train-clean-100",
        "--alignments",
        demo / "LibriSpeech" / "alignments",
        "--model",
        demo / "gar.keras",
        "--epochs",
        "1",
        "--batch-size",
        "4",
        "--output-dir",
        demo / output,
        *flags,
    ]
    assert main([str(argument) for argument in argv]) == 0
    return demo / output / task


def _check_files(directory, task, rows, stdout):
    results = json.loads((directory / "results.json").read_text())
    assert results["task"] == task and list(results["rows"]) == rows
    for name, row in results["rows"].items():
        assert 0 <= row["train_acc"] <= 1 and 0 <= row["test_acc"] <= 1
        assert row["train_examples"] > 0 and row["test_examples"] > 0
        assert row["frozen"] == (name != "supervised")
        assert f"| {name} | {row['description']} | {row['train_acc']:.1%} | {row['test_acc']:.1%} |" in stdout
    assert results["recipe"]["epochs"] == 1 and results["recipe"]["train_utterances"] == 6
    assert results["recipe"]["test_utterances"] == 3
    with open(directory / "results.csv", newline="") as handle:
        lines = list(csv.DictReader(handle))
    assert [line["row"] for line in lines] == rows
    assert [float(line["test_acc"]) for line in lines] == [results["rows"][name]["test_acc"] for name in rows]
    markdown = (directory / "results.md").read_text()
    assert markdown.startswith(f"# Linear {task} probe") and all(f"| {name} |" in markdown for name in rows)
    assert (directory / "accuracy.png").read_bytes()[:8] == PNG
    assert not [path.name for path in directory.iterdir() if path.name.startswith(".") and path.name != ".lock"]
    return results


def test_phone_probe_writes_every_row_and_file(demo, capsys):
    directory = _probe(demo, "phone", "--supervised-epochs", "1")
    stdout = capsys.readouterr().out
    results = _check_files(directory, "phone", ROWS, stdout)
    assert results["class_names"][:3] == ["SIL", "AA", "AE"] and results["recipe"]["classes"] == 40
    for name in ROWS:
        assert (directory / f"confusion_{name}.png").read_bytes()[:8] == PNG
    rows = results["rows"]
    # The seed encoder's 16 ms frames against the front ends' 10 ms: 1.6 times fewer frames, give or take one each.
    assert rows["cpc"]["frame_ms"] == 16 and rows["mfcc"]["frame_ms"] == 10
    assert rows["cpc"]["train_examples"] == rows["random"]["train_examples"] == rows["supervised"]["train_examples"]
    assert rows["mfcc"]["train_examples"] == rows["logmel"]["train_examples"]
    assert rows["logmel"]["train_examples"] / rows["cpc"]["train_examples"] == pytest.approx(1.6, rel=0.05)
    assert (rows["cpc"]["paper_test_acc"], rows["logmel"]["paper_test_acc"]) == (0.646, None)
    assert "majority class:" in stdout


def test_speaker_probe_writes_every_row_and_file(demo, capsys):
    directory = _probe(demo, "speaker")
    results = _check_files(directory, "speaker", ROWS, capsys.readouterr().out)
    assert results["recipe"]["classes"] == 3 and len(results["class_names"]) == 3
    assert not list(directory.glob("confusion_*.png"))
    rows = results["rows"]
    assert {rows[name]["pooling"] for name in ("cpc", "random", "supervised")} == {"last"}
    assert {rows[name]["pooling"] for name in ("mfcc", "logmel")} == {"mean"}
    assert len({row["train_examples"] for row in rows.values()}) == 1


def test_encoder_features_z_from_genc_h5(demo, capsys):
    flags = ["--features", "z", "--encoder", demo / "genc.h5", "--rows", "cpc,random", "--quiet"]
    directory = _probe(demo, "speaker", *flags, output="probes_z")
    results = _check_files(directory, "speaker", ["cpc", "random"], capsys.readouterr().out)
    cpc = results["rows"]["cpc"]
    assert cpc["pooling"] == "mean" and cpc["feature_dim"] == 40
    assert cpc["description"] == f"z_t of {demo / 'genc.h5'}"
