"""A training process killed, interrupted or out of time mid-epoch resumes from its backup."""

import csv
import json
import os
import signal
import subprocess
import sys
import time

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EPOCHS, STEPS = 3, 16

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tfrecords(tmp_path_factory, convert_tiny_corpus):
    return convert_tiny_corpus(tmp_path_factory.mktemp("resume") / "LibriSpeech")


def _command(tfrecords, output_dir, *extra):
    return [
        sys.executable,
        "train.py",
        "--data-dir",
        str(tfrecords),
        "--batch-size",
        "4",
        "--window",
        "8192",
        "--epochs",
        str(EPOCHS),
        "--steps-per-epoch",
        str(STEPS),
        "--backup-every-steps",
        "2",
        "--output-dir",
        str(output_dir),
        *extra,
    ]


def _start(command):
    return subprocess.Popen(
        command,
        cwd=REPO,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
    )


def _wait_for_backup(process, backup, epoch):
    deadline = time.monotonic() + 240
    while True:
        assert process.poll() is None, "training ended before it could be stopped mid-epoch"
        assert time.monotonic() < deadline
        try:
            state = json.loads((backup / "backup.json").read_text())
        except (OSError, ValueError):
            state = {"epoch": -1, "step": 0}
        if state["epoch"] == epoch and 0 < state["step"] < STEPS:
            return state
        time.sleep(0.01)


def _check_complete(output_dir):
    metrics = json.loads((output_dir / "metrics.json").read_text())
    assert (metrics["epochs"], metrics["steps"]) == (EPOCHS, EPOCHS * STEPS)
    assert list(metrics["val_accuracy_per_step"]) == [str(k) for k in range(1, 11)]
    with open(output_dir / "training_log.csv") as log:
        epochs = [int(row["epoch"]) for row in csv.DictReader(log)]
    assert sorted(set(epochs)) == list(range(EPOCHS))
    assert not (output_dir / "backup").exists()
    check = (
        "import keras, numpy as np; m = keras.models.load_model('genc.h5'); "
        "print(m(np.zeros((1, 16000), 'float32')).shape)"
    )
    loaded = subprocess.run([sys.executable, "-c", check], cwd=output_dir, capture_output=True, text=True)
    assert loaded.stdout.strip() == "(1, 62, 40)", loaded.stderr[-2000:]


def test_sigkill_mid_epoch_then_same_command_finishes_the_run(tfrecords, tmp_path):
    output_dir = tmp_path / "outputs"
    process = _start(_command(tfrecords, output_dir))
    state = _wait_for_backup(process, output_dir / "backup", epoch=1)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    assert not (output_dir / "metrics.json").exists()

    resumed = subprocess.run(_command(tfrecords, output_dir), cwd=REPO, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert (
        f"resuming from the backup in {output_dir / 'backup'}: epoch {state['epoch'] + 1}, after step "
        in resumed.stdout
    )
    _check_complete(output_dir)


def test_sigterm_saves_a_backup_and_says_how_to_resume(tfrecords, tmp_path):
    output_dir = tmp_path / "outputs"
    process = _start(_command(tfrecords, output_dir))
    _wait_for_backup(process, output_dir / "backup", epoch=0)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 128 + signal.SIGTERM
    assert "interrupted by SIGTERM in epoch 1" in stderr and "run the same command again to resume" in stderr
    assert "Traceback" not in stderr
    assert json.loads((output_dir / "backup" / "backup.json").read_text())["epoch"] == 0

    changed = subprocess.run(_command(tfrecords, output_dir, "--lr", "0.01"), cwd=REPO, capture_output=True, text=True)
    assert changed.returncode == 2
    assert "backup of a run with other settings (lr differ)" in changed.stderr

    resumed = subprocess.run(_command(tfrecords, output_dir), cwd=REPO, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    _check_complete(output_dir)


def test_restart_discards_the_backup(tfrecords, tmp_path):
    output_dir = tmp_path / "outputs"
    process = _start(_command(tfrecords, output_dir))
    _wait_for_backup(process, output_dir / "backup", epoch=1)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    restarted = subprocess.run(_command(tfrecords, output_dir, "--restart"), cwd=REPO, capture_output=True, text=True)
    assert restarted.returncode == 0, restarted.stderr[-3000:]
    assert "resuming" not in restarted.stdout
    _check_complete(output_dir)


def test_time_budget_ends_with_every_artefact_and_the_same_command_resumes(tfrecords, tmp_path):
    output_dir = tmp_path / "outputs"
    # Building and tracing take longer than 0.06 s, so the budget is spent at the first step.
    budgeted = subprocess.run(
        _command(tfrecords, output_dir, "--time-budget", "0.001"), cwd=REPO, capture_output=True, text=True
    )
    assert budgeted.returncode == 0, budgeted.stderr[-3000:]
    assert "(time budget reached)" in budgeted.stdout
    assert (
        f"time budget of 0.001 min reached in epoch 1 after step 1; the artefacts hold this state and "
        f"{output_dir / 'backup'} resumes from it" in budgeted.stdout
    )
    metrics = json.loads((output_dir / "metrics.json").read_text())
    assert (metrics["stopped_by"], metrics["epochs"], metrics["steps"]) == ("time_budget", 1, 1)
    assert set(metrics["val_accuracy_per_step"]) == {str(k) for k in range(1, 11)}
    for artefact in (
        "genc.h5",
        "genc.keras",
        "gar.keras",
        "checkpoints/last.weights.h5",
        "plots/loss.png",
        "plots/prediction_accuracy.png",
    ):
        assert (output_dir / artefact).is_file(), artefact
    state = json.loads((output_dir / "backup" / "backup.json").read_text())
    assert (state["epoch"], state["step"]) == (0, 1)

    resumed = subprocess.run(_command(tfrecords, output_dir), cwd=REPO, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert f"resuming from the backup in {output_dir / 'backup'}: epoch 1, after step 1" in resumed.stdout
    _check_complete(output_dir)
    assert json.loads((output_dir / "metrics.json").read_text())["stopped_by"] == "epochs"
