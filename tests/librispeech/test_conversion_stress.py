"""Conversions with more workers than cores, stopped mid-shard by a killed worker or Ctrl-C.

Either the run recovers, or it stops with one line and the same command finishes it; in both
cases the records must equal an uninterrupted conversion's, every utterance exactly once.
"""

import dataclasses
import os
import signal
import subprocess
import sys
import time

import numpy as np
import tensorflow as tf

from librispeech.manifest import read_manifest
from librispeech.record_schema import tf_feature_spec
from librispeech.split_converter import ConversionConfig, convert_split
from librispeech.tfrecord_file import read_records

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARDS = 24
HANG_SECONDS = 120
"""Longer than any healthy run of this corpus takes on a loaded machine: beyond it, the run hangs."""


def _stat_fields(pid: int | str) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` after the name: the state, then the parent's pid, ...;
    None once the process is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            # The name in parentheses may hold spaces and parentheses: split after the last one.
            return stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _children(pid: int) -> list[int]:
    """The live child processes of ``pid``, from /proc."""
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat_fields(entry)
            if fields is not None and int(fields[1]) == pid and fields[0] != "Z":
                children.append(int(entry))
    return children


def _is_pool_worker(pid: int) -> bool:
    """Whether the process is a spawned multiprocessing worker (not the resource tracker)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return b"--multiprocessing-fork" in cmdline.read().split(b"\0")
    except OSError:
        return False


def _writes_a_shard(pid: int, output_dir) -> bool:
    """Whether the process holds a shard's temporary file open, i.e. is in the middle of a shard."""
    try:
        descriptors = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for descriptor in descriptors:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{descriptor}")
        except OSError:
            continue
        if target.startswith(str(output_dir)) and target.endswith(".tfrecord.tmp"):
            return True
    return False


def _wait_until_stopped(pid: int) -> None:
    """Returns once the process is in the stopped state (or gone): SIGSTOP takes effect asynchronously."""
    while True:
        fields = _stat_fields(pid)
        if fields is None or fields[0] in ("T", "t", "Z", "X"):
            return
        time.sleep(0.0005)


def _freeze_workers_mid_shard(process: subprocess.Popen, output_dir) -> tuple[int, list[int]]:
    """SIGSTOPs every worker, retrying until one of them is caught writing a shard.

    While they are stopped the open shard cannot be finished, so the conversion is certainly
    still running when the test acts, however loaded the machine.

    Returns:
        The worker caught mid-shard, and every stopped worker (it included).
    """
    deadline = time.monotonic() + HANG_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, "the conversion finished before its workers could be stopped"
        stopped = []
        for pid in filter(_is_pool_worker, _children(process.pid)):
            try:
                os.kill(pid, signal.SIGSTOP)
            except ProcessLookupError:
                continue
            _wait_until_stopped(pid)
            stopped.append(pid)
        writer = next((pid for pid in stopped if _writes_a_shard(pid, output_dir)), None)
        if writer is not None:
            return writer, stopped
        _continue(stopped)
        time.sleep(0.001)
    raise AssertionError("no worker was seen writing a shard")


def _continue(pids: list[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGCONT)
        except ProcessLookupError:
            pass


def _parsed_records(tfrecord_dir) -> dict[str, np.ndarray]:
    """Every record of a converted split, read and CRC-checked shard by shard: id → samples."""
    found = {}
    for shard in read_manifest(tfrecord_dir).shards:
        payloads = list(read_records(tfrecord_dir / shard.file))
        features = tf.io.parse_example(payloads, tf_feature_spec())
        ids = [raw.decode() for raw in features["utterance_id"].numpy()]
        assert ids == shard.utterance_ids
        for utterance_id, audio in zip(ids, features["audio"].numpy()):
            assert utterance_id not in found, f"{utterance_id} is stored twice"
            found[utterance_id] = np.frombuffer(audio, "<i2")
    return found


def _conversion(tmp_path, corpus_writer):
    """``(command, output_dir, reference summary, samples by id)``: an oversubscribed conversion to run."""
    root = tmp_path / "LibriSpeech"
    samples_by_id = corpus_writer(
        root, speakers=(19, 26, 32), chapters=(198, 227), utterances_per_chapter=6, seconds=(6.0, 3.0, 9.0, 4.5), seed=7
    )
    workers = max(5, (os.cpu_count() or 1) * 2 + 1)
    reference = convert_split(
        ConversionConfig(
            root, "dev-clean", output_dir=tmp_path / "reference", shards=SHARDS, workers=2, show_progress=False
        )
    )
    output_dir = tmp_path / "records"
    command = [
        sys.executable,
        os.path.join(REPO, "tfrecords.py"),
        "dev-clean",
        "--librispeech-dir",
        str(root),
        "--output-dir",
        str(output_dir),
        "--shards",
        str(SHARDS),
        "--workers",
        str(workers),
        "--quiet",
    ]
    return command, output_dir, reference, samples_by_id


def _assert_same_as_reference(output_dir, reference, samples_by_id) -> None:
    manifest = read_manifest(output_dir)
    assert [dataclasses.asdict(shard) for shard in manifest.shards] == [
        dataclasses.asdict(shard) for shard in reference.manifest.shards
    ]
    assert manifest.skipped == [] and manifest.num_records == len(samples_by_id)
    records = _parsed_records(output_dir)
    assert list(records) == list(_parsed_records(reference.output_dir)) and set(records) == set(samples_by_id)
    for utterance_id, samples in records.items():
        np.testing.assert_array_equal(samples, samples_by_id[utterance_id])
    for shard in manifest.shards:
        assert (output_dir / shard.file).read_bytes() == (reference.output_dir / shard.file).read_bytes()
    assert not list(output_dir.glob("*.tmp")) and not list((output_dir / ".progress").glob("*.tmp"))


def test_a_worker_killed_mid_shard_leaves_a_complete_verified_conversion(tmp_path, corpus_writer):
    command, output_dir, reference, samples_by_id = _conversion(tmp_path, corpus_writer)
    process = subprocess.Popen(
        command, cwd=REPO, start_new_session=True, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        victim, stopped = _freeze_workers_mid_shard(process, output_dir)
        os.kill(victim, signal.SIGKILL)
        _continue(stopped)
        stdout, stderr = process.communicate(timeout=HANG_SECONDS)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"the conversion hung after worker {victim} was killed") from None
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert "Traceback" not in stderr, stderr
    if process.returncode != 0:
        (line,) = stderr.strip().splitlines()
        assert line.startswith("error: ") and "rerun the same command" in line, line
        assert not (output_dir / "manifest.json").exists()
        assert not list(output_dir.glob("*.tmp"))
        rerun = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=HANG_SECONDS)
        assert rerun.returncode == 0, rerun.stderr
        assert "written now" in rerun.stdout
    _assert_same_as_reference(output_dir, reference, samples_by_id)


def test_ctrl_c_to_every_process_mid_run_stops_with_one_line_and_the_rerun_finishes(tmp_path, corpus_writer):
    command, output_dir, reference, samples_by_id = _conversion(tmp_path, corpus_writer)
    process = subprocess.Popen(
        command, cwd=REPO, start_new_session=True, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        _, stopped = _freeze_workers_mid_shard(process, output_dir)
        # A terminal's Ctrl-C reaches the whole foreground process group: parent and workers.
        os.killpg(process.pid, signal.SIGINT)
        _continue(stopped)
        _, stderr = process.communicate(timeout=HANG_SECONDS)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 130
    assert stderr.strip() == "interrupted: complete shards are kept; rerun the same command to finish"
    assert not list(output_dir.glob("*.tmp")) and not (output_dir / "manifest.json").exists()

    rerun = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=HANG_SECONDS)
    assert rerun.returncode == 0, rerun.stderr
    _assert_same_as_reference(output_dir, reference, samples_by_id)
