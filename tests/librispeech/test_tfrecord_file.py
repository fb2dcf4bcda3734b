import pytest

from librispeech.corpus_error import CorpusError
from librispeech.tfrecord_file import TFRecordFileWriter, masked_crc32c, read_records


def _write(path, payloads):
    with TFRecordFileWriter(path) as writer:
        for payload in payloads:
            writer.write(payload)
    return path.read_bytes()


def test_masked_crc_of_known_value():
    # CRC32C("123456789") is 0xE3069283, the standard check value; masked as TFRecord does.
    crc = 0xE3069283
    assert masked_crc32c(b"123456789") == (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


@pytest.mark.parametrize(("keep", "bad_offset"), [(17, 0), (30, 26), (40, 26), (50, 26)])
def test_truncated_file_is_named_with_the_offset(tmp_path, keep, bad_offset):
    path = tmp_path / "shard.tfrecord"
    data = _write(path, [b"x" * 10, b"y" * 10])  # two records of 8 + 4 + 10 + 4 = 26 bytes
    path.write_bytes(data[:keep])
    with pytest.raises(CorpusError, match=rf"shard\.tfrecord: truncated record.* at byte {bad_offset}$"):
        list(read_records(path))


def test_flipped_byte_is_a_bad_crc(tmp_path):
    path = tmp_path / "shard.tfrecord"
    data = bytearray(_write(path, [b"hello world", b"second"]))
    data[14] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(CorpusError, match=r"shard\.tfrecord: bad CRC in the record at byte 0"):
        list(read_records(path))


def test_bad_length_crc_is_found(tmp_path):
    path = tmp_path / "shard.tfrecord"
    data = bytearray(_write(path, [b"hello"]))
    data[0] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(CorpusError, match="bad CRC in the record header at byte 0"):
        list(read_records(path))
