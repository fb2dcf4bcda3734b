"""Property tests: damaged bytes come out of the record readers only as CorpusError.

Files of random bytes and damaged copies of sound ones go to ``read_records``; records with
valid CRCs but damaged payloads go to the shard check and through the training input
pipeline, which may only fail with the errors training hands to the shard check.
"""

import struct

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from librispeech.corpus_error import CorpusError
from librispeech.input_pipeline import PipelineConfig, audio_windows
from librispeech.record_schema import UtteranceRecord, serialize, tf_feature_spec
from librispeech.shard_check import READ_ERRORS, find_damaged_shard
from librispeech.tfrecord_file import masked_crc32c, read_records

# Short audio, so that most damage lands in the other features rather than in the samples.
_EXAMPLE = serialize(UtteranceRecord("1-7-0001", 1, 7, "X", np.arange(-5, 5, dtype=np.int16), 16000))


def _framed(records):
    return b"".join(
        struct.pack("<Q", len(record))
        + struct.pack("<I", masked_crc32c(struct.pack("<Q", len(record))))
        + record
        + struct.pack("<I", masked_crc32c(record))
        for record in records
    )


_SOUND_FILE = _framed([b"first record", b"", _EXAMPLE])
_RECORD_ENDS = {8 + 4 + 12 + 4, 2 * (8 + 4 + 4) + 12}


def _examples(count: int) -> settings:
    # The fixtures hold a folder that every example overwrites whole, so sharing it is safe.
    return settings(max_examples=count, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _read(path, data):
    """The records of a file holding ``data``, or the CorpusError reading it raised."""
    path.write_bytes(data)
    try:
        return list(read_records(path))
    except CorpusError as error:
        assert str(error).startswith(f"{path}: ") and "\n" not in str(error)
        return error


@st.composite
def _damaged(draw, sound: bytes):
    """``sound`` with bytes flipped, cut short, or a span replaced by random bytes."""
    kind = draw(st.sampled_from(["flip", "cut", "splice"]))
    if kind == "flip":
        data = bytearray(sound)
        data[draw(st.integers(0, len(sound) - 1))] ^= draw(st.integers(1, 255))
        return bytes(data)
    if kind == "cut":
        return sound[: draw(st.integers(0, len(sound) - 1))]
    start = draw(st.integers(0, len(sound)))
    end = draw(st.integers(start, len(sound)))
    return sound[:start] + draw(st.binary(max_size=32)) + sound[end:]


@_examples(200)
@given(data=st.binary(max_size=300))
def test_random_bytes_read_as_the_records_they_frame_or_a_corpus_error(tmp_path, data):
    records = _read(tmp_path / "shard.tfrecord", data)
    assert isinstance(records, CorpusError) or _framed(records) == data


@_examples(100)
@given(length=st.integers(0, 2**64 - 1), tail=st.binary(max_size=64))
def test_any_length_with_a_valid_crc_reads_or_is_a_corpus_error(tmp_path, length, tail):
    header = struct.pack("<Q", length)
    data = header + struct.pack("<I", masked_crc32c(header)) + tail
    records = _read(tmp_path / "shard.tfrecord", data)
    assert isinstance(records, CorpusError) or _framed(records) == data


@_examples(100)
@given(index=st.integers(0, len(_SOUND_FILE) - 1), mask=st.integers(1, 255))
def test_any_flipped_byte_of_a_sound_file_is_a_corpus_error(tmp_path, index, mask):
    damaged = bytearray(_SOUND_FILE)
    damaged[index] ^= mask
    assert isinstance(_read(tmp_path / "shard.tfrecord", bytes(damaged)), CorpusError)


@_examples(50)
@given(length=st.integers(1, len(_SOUND_FILE) - 1).filter(lambda length: length not in _RECORD_ENDS))
def test_any_cut_of_a_sound_file_inside_a_record_is_a_corpus_error(tmp_path, length):
    assert isinstance(_read(tmp_path / "shard.tfrecord", _SOUND_FILE[:length]), CorpusError)


@pytest.fixture
def split(tmp_path, record_split_writer):
    """``(directory, first shard's file name, its three payloads)`` of a sound split."""
    directory = tmp_path / "dev-clean"
    manifest = record_split_writer(directory)
    file = manifest.shards[0].file
    return directory, file, list(read_records(directory / file))


def _payloads():
    return st.one_of(st.binary(max_size=200), _damaged(_EXAMPLE))


@_examples(150)
@given(payload=_payloads())
def test_any_valid_crc_payload_is_sound_or_named_by_the_shard_check(split, shard_rewriter, payload):
    directory, file, payloads = split
    shard_rewriter(directory, file, [payloads[0], payload, payloads[2]])
    error = find_damaged_shard(directory)
    assert error is None or (str(error).startswith(f"{directory / file}: ") and "\n" not in str(error))
    try:
        tf.io.parse_example(tf.constant([payload]), tf_feature_spec())
    except (tf.errors.InvalidArgumentError, UnicodeDecodeError):
        assert str(error).startswith(f"{directory / file}: record 2 does not ")


@_examples(12)
@given(payload=_payloads())
def test_input_pipeline_fails_on_a_damaged_record_only_as_the_shard_check_can_explain(split, shard_rewriter, payload):
    directory, file, payloads = split
    shard_rewriter(directory, file, [payloads[0], payload, payloads[2]])
    # Repeated as in training, where no expected length can fail when a record is left out.
    config = PipelineConfig(window=4, batch_size=1, repeat=True)
    try:
        for _ in audio_windows(directory, config, training=False).take(6):
            pass
    except READ_ERRORS:
        assert find_damaged_shard(directory) is not None
