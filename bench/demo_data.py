"""The demo corpus as TFRecords for the benchmarks, made with the standard library only.

Kept apart from the TensorFlow code so that a parent process that only starts measured
children need not import TensorFlow.
"""

import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[1]


def demo_tfrecords(scratch: pathlib.Path, train_speakers: int = 16) -> pathlib.Path:
    """Synthesizes the demo corpus and converts its training split; returns its TFRecord folder."""
    root = scratch / "LibriSpeech"
    quiet = {"check": True, "cwd": REPO, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    subprocess.run(
        [sys.executable, "-m", "demo", "librispeech", str(root), "--train-speakers", str(train_speakers)], **quiet
    )
    subprocess.run(
        [sys.executable, "tfrecords.py", "train-clean-100", "--librispeech-dir", str(root), "--quiet"], **quiet
    )
    return scratch / "tfrecords" / "train-clean-100"
