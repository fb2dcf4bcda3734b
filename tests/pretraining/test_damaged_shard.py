"""A shard damaged after conversion stops train.py with one line naming it, and the backup survives."""

import json
import os
import shutil
import struct
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def converted(tmp_path_factory, convert_tiny_corpus):
    return convert_tiny_corpus(tmp_path_factory.mktemp("damaged") / "LibriSpeech")


@pytest.fixture
def tfrecords(converted, tmp_path):
    """A copy of the converted splits that a test may damage."""
    return shutil.copytree(converted, tmp_path / "tfrecords")


def _train(tfrecords, output_dir, *extra):
    command = [
        sys.executable,
        "train.py",
        "--data-dir",
        str(tfrecords),
        "--batch-size",
        "4",
        "--window",
        "8192",
        "--output-dir",
        str(output_dir),
        *extra,
    ]
    return subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, timeout=300, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    )


def _records(path):
    """``(offset, length)`` of every record of a shard."""
    data, offset, records = path.read_bytes(), 0, []
    while offset < len(data):
        (length,) = struct.unpack_from("<Q", data, offset)
        records.append((offset, length))
        offset += 8 + 4 + length + 4
    return records


def _check_stopped_with_one_line(result, message):
    assert result.returncode == 2, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == message


def test_bad_crc_in_a_training_shard_names_it(tfrecords, tmp_path):
    shard = tfrecords / "train-clean-100" / "train-clean-100-00001-of-00002.tfrecord"
    offset, length = _records(shard)[2]
    data = bytearray(shard.read_bytes())
    data[offset + 12 + length // 2] ^= 0x01
    shard.write_bytes(bytes(data))

    result = _train(tfrecords, tmp_path / "outputs", "--epochs", "1", "--steps-per-epoch", "2")
    _check_stopped_with_one_line(
        result,
        f"error: {shard}: bad CRC in the record at byte {offset}; delete it and rerun tfrecords.py train-clean-100 "
        "to convert it again; then rerun this command, which resumes from the last backup",
    )
    run = json.loads((tmp_path / "outputs" / "run.json").read_text())
    assert run["status"] == "failed" and run["extra"]["error"].startswith(f"{shard}: bad CRC")


def test_unparseable_validation_record_names_its_shard_and_the_backup_resumes_once_repaired(tfrecords, tmp_path):
    from librispeech.tfrecord_file import TFRecordFileWriter, read_records

    shard = tfrecords / "dev-clean" / "dev-clean-00000-of-00002.tfrecord"
    sound = shard.read_bytes()
    payloads = list(read_records(shard))
    payloads[1] = b"\xff" * len(payloads[1])  # The same size, so only reading the record can tell.
    with TFRecordFileWriter(shard) as writer:
        for payload in payloads:
            writer.write(payload)
    output_dir = tmp_path / "outputs"
    command = ("--epochs", "2", "--steps-per-epoch", "3", "--backup-every-steps", "1")

    result = _train(tfrecords, output_dir, *command)
    _check_stopped_with_one_line(
        result,
        f"error: {shard}: record 2 does not parse as a tf.train.Example; delete it and rerun tfrecords.py dev-clean "
        "to convert it again; then rerun this command, which resumes from the last backup",
    )
    # Validation runs after the epoch's last step, whose backup is skipped for the epoch end's.
    assert json.loads((output_dir / "backup" / "backup.json").read_text())["step"] == 2
    assert not (output_dir / "genc.h5").exists()

    shard.write_bytes(sound)
    resumed = _train(tfrecords, output_dir, *command)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert f"resuming from the backup in {output_dir / 'backup'}: epoch 1, after step 2" in resumed.stdout
    assert json.loads((output_dir / "metrics.json").read_text())["epochs"] == 2
