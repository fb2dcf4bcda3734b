"""Every way ``manifest.json`` and the shard files can disagree, and who reports it.

``read_manifest`` (run before training starts) sees missing shards and changed sizes; the
shard check (run when reading fails, ``shard_check.find_damaged_shard``) also sees record
counts and utterances that differ. Files the manifest does not list are ignored.
"""

import json

import pytest

from librispeech.corpus_error import CorpusError
from librispeech.input_pipeline import PipelineConfig, audio_windows
from librispeech.manifest import read_manifest
from librispeech.shard_check import find_damaged_shard

REMEDY = "; delete it and rerun tfrecords.py dev-clean to convert it again"


@pytest.fixture
def split(tmp_path, record_split_writer):
    """``(directory, first shard's path)`` of a sound split of two shards of three utterances."""
    directory = tmp_path / "dev-clean"
    manifest = record_split_writer(directory)
    return directory, directory / manifest.shards[0].file


def _edit_first_shard_entry(directory, **changes):
    manifest = json.loads((directory / "manifest.json").read_text())
    manifest["shards"][0].update(changes)
    (directory / "manifest.json").write_text(json.dumps(manifest))


def test_missing_shard_is_named_before_training_and_by_the_shard_check(split):
    directory, shard = split
    shard.unlink()
    expected = f"{shard}: shard listed in manifest.json is missing"
    with pytest.raises(CorpusError) as error:
        read_manifest(directory)
    assert str(error.value) == expected
    assert str(find_damaged_shard(directory)) == expected + REMEDY


def test_shard_of_another_size_is_named_before_training_and_by_the_shard_check(split):
    directory, shard = split
    size = shard.stat().st_size
    shard.write_bytes(shard.read_bytes() + b"\0")
    expected = f"{shard}: {size + 1} bytes, manifest.json records {size}"
    with pytest.raises(CorpusError) as error:
        read_manifest(directory)
    assert str(error.value) == expected
    assert str(find_damaged_shard(directory)) == expected + REMEDY


def test_unlisted_shard_file_is_ignored(split):
    directory, shard = split
    (directory / "dev-clean-00002-of-00003.tfrecord").write_bytes(b"left by another conversion")
    assert read_manifest(directory).num_records == 6
    assert find_damaged_shard(directory) is None
    windows = audio_windows(directory, PipelineConfig(window=4000, batch_size=2), training=False)
    assert sum(len(batch) for batch in windows) == 6


def test_fewer_records_listed_than_the_shard_holds_is_named_by_the_shard_check(split):
    directory, shard = split
    _edit_first_shard_entry(directory, utterance_ids=["1-7-0000", "1-7-0001"], num_samples=[4000, 4000])
    read_manifest(directory)  # Only reading the shard can tell.
    assert str(find_damaged_shard(directory)) == f"{shard}: holds 3 records, manifest.json lists 2{REMEDY}"


def test_more_records_listed_than_the_shard_holds_is_named_by_the_shard_check(split):
    directory, shard = split
    listed = ["1-7-0000", "1-7-0001", "1-7-0002", "1-7-0003"]
    _edit_first_shard_entry(directory, utterance_ids=listed, num_samples=[4000] * 4)
    assert str(find_damaged_shard(directory)) == f"{shard}: holds 3 records, manifest.json lists 4{REMEDY}"


def test_other_utterances_listed_than_the_shard_holds_are_named_by_the_shard_check(split):
    directory, shard = split
    _edit_first_shard_entry(directory, utterance_ids=["1-7-0000", "1-7-0002", "1-7-0001"])
    assert str(find_damaged_shard(directory)) == (
        f"{shard}: record 2 is utterance 1-7-0001, manifest.json lists 1-7-0002{REMEDY}"
    )
