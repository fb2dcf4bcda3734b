"""Chaos: train.py SIGKILLed at 10 random moments, restarted each time, ends as an uninterrupted run."""

import csv
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EPOCHS, STEPS, KILLS = 2, 12, 10

pytestmark = pytest.mark.slow


def _command(tfrecords, output_dir):
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
        "1",
        "--output-dir",
        str(output_dir),
    ]


def test_training_killed_at_random_moments_resumes_to_the_same_end(tmp_path, convert_tiny_corpus):
    tfrecords = convert_tiny_corpus(tmp_path / "LibriSpeech")
    output_dir = tmp_path / "outputs"
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    # Moments from a process's start: through start-up, training, and the writing of the artefacts.
    moments = np.random.default_rng(11).uniform(2.0, 16.0, KILLS)
    for moment in moments:
        process = subprocess.Popen(
            _command(tfrecords, output_dir),
            cwd=REPO,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + moment
        while process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        if (output_dir / "metrics.json").is_file() and not (output_dir / "backup").exists():
            break  # it finished before its kill
    finished = subprocess.run(
        _command(tfrecords, output_dir), cwd=REPO, env=environment, capture_output=True, text=True, timeout=600
    )
    assert finished.returncode == 0, finished.stderr[-3000:]

    metrics = json.loads((output_dir / "metrics.json").read_text())
    assert (metrics["epochs"], metrics["steps"], metrics["stopped_by"]) == (EPOCHS, EPOCHS * STEPS, "epochs")
    with open(output_dir / "training_log.csv") as log:
        assert sorted({int(row["epoch"]) for row in csv.DictReader(log)}) == list(range(EPOCHS))
    assert not (output_dir / "backup").exists()
    assert not [path.name for path in output_dir.rglob("*.tmp*")]
    check = (
        "import keras, numpy as np; m = keras.models.load_model('genc.h5'); "
        "print(m(np.zeros((1, 16000), 'float32')).shape)"
    )
    loaded = subprocess.run([sys.executable, "-c", check], cwd=output_dir, capture_output=True, text=True)
    assert loaded.stdout.strip() == "(1, 62, 40)", loaded.stderr[-2000:]
