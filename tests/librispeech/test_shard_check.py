import json
import struct

import pytest
import tensorflow as tf

from librispeech.shard_check import find_damaged_shard
from librispeech.tfrecord_file import read_records

REMEDY = "; delete it and rerun tfrecords.py dev-clean to convert it again"


@pytest.fixture
def split(tmp_path, record_split_writer):
    """``(directory, second shard's path)`` of a sound split of two shards of three utterances."""
    directory = tmp_path / "dev-clean"
    manifest = record_split_writer(directory)
    return directory, directory / manifest.shards[1].file


def _second_record_offset(path):
    (length,) = struct.unpack("<Q", path.read_bytes()[:8])
    return 8 + 4 + length + 4


def test_sound_split_has_no_damaged_shard(split):
    directory, _ = split
    assert find_damaged_shard(directory) is None


def test_flipped_byte_mid_shard_is_named_with_the_record_offset(split):
    directory, shard = split
    data = bytearray(shard.read_bytes())
    offset = _second_record_offset(shard)
    data[offset + 12 + 4000] ^= 0x10  # inside the second record's audio, the size unchanged
    shard.write_bytes(bytes(data))
    error = find_damaged_shard(directory)
    assert str(error) == f"{shard}: bad CRC in the record at byte {offset}{REMEDY}"


def test_truncated_shard_is_named_by_its_size(split):
    directory, shard = split
    size = shard.stat().st_size
    shard.write_bytes(shard.read_bytes()[: size - 100])
    assert str(find_damaged_shard(directory)) == f"{shard}: {size - 100} bytes, manifest.json records {size}{REMEDY}"


def test_truncated_shard_whose_size_the_manifest_records_is_named_with_the_offset(split):
    directory, shard = split
    last_record = 2 * _second_record_offset(shard)  # Three records of equal size.
    shard.write_bytes(shard.read_bytes()[:-100])
    manifest = json.loads((directory / "manifest.json").read_text())
    manifest["shards"][1]["num_bytes"] = shard.stat().st_size
    (directory / "manifest.json").write_text(json.dumps(manifest))
    assert str(find_damaged_shard(directory)) == f"{shard}: truncated record at byte {last_record}{REMEDY}"


def test_payload_with_a_valid_crc_that_is_no_example_is_named_by_record(split, shard_rewriter):
    directory, shard = split
    payloads = list(read_records(shard))
    payloads[1] = b"\xff" * len(payloads[1])
    shard_rewriter(directory, shard.name, payloads)
    assert str(find_damaged_shard(directory)) == f"{shard}: record 2 does not parse as a tf.train.Example{REMEDY}"


def test_example_without_a_feature_is_named_with_the_feature(split, shard_rewriter):
    directory, shard = split
    payloads = list(read_records(shard))
    payloads[2] = payloads[2].replace(b"\x0a\x05audio", b"\x0a\x05audix", 1)
    shard_rewriter(directory, shard.name, payloads)
    assert str(find_damaged_shard(directory)) == (
        f"{shard}: record 3 does not match the record schema: feature audio is missing or malformed{REMEDY}"
    )


def test_audio_that_disagrees_with_num_samples_is_named(split, shard_rewriter):
    directory, shard = split
    payloads = list(read_records(shard))
    example = tf.train.Example.FromString(payloads[0])
    example.features.feature["num_samples"].int64_list.value[0] = 4001
    payloads[0] = example.SerializeToString()
    shard_rewriter(directory, shard.name, payloads)
    assert str(find_damaged_shard(directory)) == f"{shard}: record 1 holds 8000 bytes of audio for 4001 samples{REMEDY}"


def test_first_damaged_shard_in_manifest_order_is_named(split, shard_rewriter):
    directory, second = split
    first = sorted(directory.glob("*.tfrecord"))[0]
    for shard in (first, second):
        shard_rewriter(directory, shard.name, [b"\xff"])
    assert str(find_damaged_shard(directory)).startswith(f"{first}: record 1 does not parse")


def test_missing_manifest_is_reported_as_read_manifest_says(split):
    directory, _ = split
    (directory / "manifest.json").unlink()
    assert "no manifest.json, not a complete conversion" in str(find_damaged_shard(directory))
