"""Chaos: a conversion SIGKILLed at 10 random moments, rerun each time, ends with the reference records."""

import dataclasses
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from librispeech.manifest import read_manifest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KILLS = 10

pytestmark = pytest.mark.slow


def test_a_conversion_killed_at_random_moments_ends_with_every_record_once(tmp_path, corpus_writer):
    root = tmp_path / "LibriSpeech"
    corpus_writer(
        root, speakers=(19, 26, 32), chapters=(198, 227), utterances_per_chapter=6, seconds=(6.0, 3.0, 9.0, 4.5), seed=3
    )

    def command(output_dir):
        return [
            sys.executable,
            "tfrecords.py",
            "dev-clean",
            "--librispeech-dir",
            str(root),
            "--output-dir",
            str(output_dir),
            "--shards",
            "12",
            "--workers",
            "3",
            "--quiet",
        ]

    started = time.monotonic()
    subprocess.run(command(tmp_path / "reference"), cwd=REPO, check=True, capture_output=True)
    duration = time.monotonic() - started
    reference = {path.name: path.read_bytes() for path in (tmp_path / "reference").glob("*.tfrecord")}

    output_dir = tmp_path / "records"
    for moment in np.random.default_rng(5).uniform(0.0, duration, KILLS):
        process = subprocess.Popen(
            command(output_dir), cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        time.sleep(moment)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        rerun = subprocess.run(command(output_dir), cwd=REPO, capture_output=True, text=True, timeout=300)
        assert rerun.returncode == 0, rerun.stderr
        assert {path.name: path.read_bytes() for path in output_dir.glob("*.tfrecord")} == reference
        assert dataclasses.asdict(read_manifest(output_dir)) == dataclasses.asdict(
            read_manifest(tmp_path / "reference")
        )
        assert not list(output_dir.glob("*.tmp")) and not list((output_dir / ".progress").glob("*.tmp"))
