"""The whole pipeline on the demo corpus: synthesize → tfrecords.py → train.py → genc.h5."""

import csv
import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EPOCHS, STEPS, BATCH = 4, 50, 32

pytestmark = pytest.mark.slow


def _run(*args, cwd=REPO):
    result = subprocess.run([sys.executable, *map(str, args)], cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    librispeech = root / "LibriSpeech"
    _run("-m", "demo", "librispeech", librispeech)
    for split in ("train-clean-100", "dev-clean"):
        _run("tfrecords.py", split, "--librispeech-dir", librispeech, "--quiet")
    output_dir = root / "outputs"
    result = _run(
        "train.py",
        "--data-dir",
        root / "tfrecords",
        "--batch-size",
        BATCH,
        "--epochs",
        EPOCHS,
        "--steps-per-epoch",
        STEPS,
        "--lr-milestones",
        "3",
        "--output-dir",
        output_dir,
    )
    return librispeech, output_dir, result.stdout


def test_training_learns_well_above_chance_and_reports_every_step(trained):
    _, output_dir, stdout = trained
    metrics = json.loads((output_dir / "metrics.json").read_text())
    assert list(metrics["val_accuracy_per_step"]) == [str(k) for k in range(1, 11)]
    assert (metrics["epochs"], metrics["steps"], metrics["windows"]) == (EPOCHS, EPOCHS * STEPS, EPOCHS * STEPS * BATCH)
    assert metrics["chance_accuracy"] == pytest.approx(1 / 11)
    assert metrics["val_accuracy_per_step"]["1"] >= 3 * metrics["chance_accuracy"]
    assert np.isfinite(metrics["train_loss"]) and np.isfinite(metrics["val_loss"]) and metrics["wall_seconds"] > 0
    table_rows = re.findall(r"^\| (\d+) \| [\d.]+ \| ([\d.]+) \|", stdout, flags=re.MULTILINE)
    assert [int(step) for step, _ in table_rows] == list(range(1, 11))
    assert float(table_rows[0][1]) == pytest.approx(metrics["val_accuracy_per_step"]["1"], abs=5e-4)


def test_run_leaves_config_logs_plots_and_checkpoints(trained):
    _, output_dir, _ = trained
    config = json.loads((output_dir / "config.json").read_text())
    assert (config["resolved"]["hop"], config["resolved"]["receptive_field"]) == (256, 512)
    assert (config["data"]["window"], config["optimisation"]["batch_size"], config["model"]["encoder"]) == (
        20480,
        BATCH,
        "seed",
    )
    # Flags as given (--num-neg left out: None), and what they resolved to with the encoder's defaults.
    assert (config["loss"]["num_neg"], config["resolved"]["num_neg"]) == (None, 10)
    assert (config["resolved"]["ar"], config["resolved"]["predictor"], config["resolved"]["negatives"]) == (
        "gru",
        "linear",
        "sequence",
    )
    for plot in ("prediction_accuracy.png", "loss.png"):
        assert (output_dir / "plots" / plot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with open(output_dir / "training_log.csv") as log:
        rows = list(csv.DictReader(log))
    assert [int(row["epoch"]) for row in rows] == list(range(EPOCHS))
    assert float(rows[-1]["learning_rate"]) == pytest.approx(1e-3 / 3)
    elapsed = [float(row["elapsed_seconds"]) for row in rows]
    wall_seconds = json.loads((output_dir / "metrics.json").read_text())["wall_seconds"]
    assert 0 < elapsed[0] and elapsed == sorted(elapsed) and elapsed[-1] <= wall_seconds
    assert list((output_dir / "logs" / "train").glob("events.out.tfevents.*"))
    assert (output_dir / "checkpoints" / "last.weights.h5").stat().st_size > 0


def test_saved_encoders_reload_in_a_fresh_process_with_identical_outputs(trained, tmp_path):
    _, output_dir, _ = trained
    script = f"""
import keras, numpy as np
audio = np.random.default_rng(0).uniform(-1, 1, (2, 16000)).astype("float32")
h5 = keras.models.load_model({str(output_dir / "genc.h5")!r})
native = keras.models.load_model({str(output_dir / "genc.keras")!r}, safe_mode=True)
context = keras.models.load_model({str(output_dir / "gar.keras")!r}, safe_mode=True)
z = np.asarray(h5(audio))
assert z.shape == (2, 62, 40), z.shape
assert np.array_equal(z, np.asarray(native(audio)))
assert np.asarray(context(audio)).shape == (2, 62, 40)
assert not any(type(layer).__name__ == "Lambda" for layer in h5.layers)
print("ok")
"""
    # Run from an empty folder so that none of this project's packages can be imported.
    assert _run("-c", script, cwd=tmp_path).stdout.strip() == "ok"


def test_readme_example_runs_as_written(trained, tmp_path):
    librispeech, output_dir, _ = trained
    readme = open(os.path.join(REPO, "README.md")).read()
    block = re.search(
        r"<!-- readme-example: start -->\n```python\n(.*?)```\n<!-- readme-example: end -->", readme, re.S
    )
    assert block, "README lost its example block"
    (tmp_path / "outputs").symlink_to(output_dir)
    (tmp_path / "speech.flac").symlink_to(next((librispeech / "dev-clean").rglob("*.flac")))
    printed = _run("-c", block.group(1), cwd=tmp_path).stdout.strip()
    frames_z, frames_c = re.fullmatch(r"\(1, (\d+), 40\) \(1, (\d+), 40\)", printed).groups()
    assert frames_z == frames_c and int(frames_z) > 0
