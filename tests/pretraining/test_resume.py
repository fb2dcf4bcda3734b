"""A training process killed or interrupted mid-epoch resumes from its backup."""

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
    return [sys.executable, "train.py", "--data-dir", str(tfrecords), "--batch-size", "4", "--window", "8192",
            "--epochs", str(EPOCHS), "--steps-per-epoch", str(STEPS), "--backup-every-steps", "2",
            "--output-dir", str(output_dir), *extra]


def _start(command):
    return subprocess.Popen(command, cwd=REPO, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})


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
    check = ("import keras, numpy as np; m = keras.models.load_model('genc.h5'); "
             "print(m(np.zeros((1, 16000), 'float32')).shape)")
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
    assert f"resuming from the backup in {output_dir / 'backup'}: epoch {state['epoch'] + 1}, after step " in resumed.stdout
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
