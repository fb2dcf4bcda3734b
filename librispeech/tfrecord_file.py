"""The TFRecord container format, written and verified without TensorFlow.

Conversion workers write records with this module so that they start in milliseconds
instead of importing TensorFlow. Each record is framed as::

    uint64 length | uint32 masked CRC32C of length | data | uint32 masked CRC32C of data

(all little-endian), which is what ``tf.data.TFRecordDataset`` reads.
"""

import os
import pathlib
import struct
from collections.abc import Iterator

import google_crc32c

from librispeech.corpus_error import CorpusError

_LENGTH = struct.Struct("<Q")
_CRC = struct.Struct("<I")
_MASK_DELTA = 0xA282EAD8


def masked_crc32c(data: bytes) -> int:
    """CRC32C rotated and offset as TFRecord framing stores it."""
    return _masked(google_crc32c.value(data))


def _masked(crc: int) -> int:
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


class TFRecordFileWriter:
    """Appends framed records to a file.

    Args:
        path: The file to create (truncated if it exists).
    """

    def __init__(self, path: pathlib.Path | str):
        self.path = pathlib.Path(path)
        self._file = open(self.path, "wb")

    def write(self, record: bytes | list[bytes]) -> None:
        """Appends one record, given whole or as pieces to be concatenated.

        Pieces (e.g. from ``record_schema.serialized_pieces``) are framed and written as they
        are, which spares copying a large record into one string first.
        """
        pieces = [record] if isinstance(record, bytes) else record
        crc = 0
        for piece in pieces:
            crc = google_crc32c.extend(crc, piece)
        length = _LENGTH.pack(sum(len(piece) for piece in pieces))
        self._file.writelines([length, _CRC.pack(masked_crc32c(length)), *pieces, _CRC.pack(_masked(crc))])

    def tell(self) -> int:
        """The file's length so far, in bytes: where the next record begins."""
        return self._file.tell()

    def truncate(self, position: int) -> None:
        """Drops every record from ``position`` (a `tell` value) on, so that the next one is written there."""
        self._file.seek(position)
        self._file.truncate()

    def close(self) -> None:
        """Flushes the records to disk and closes the file."""
        self._file.flush()
        self._file.close()

    def __enter__(self) -> "TFRecordFileWriter":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def read_records(path: pathlib.Path | str) -> Iterator[bytes]:
    """Yields a TFRecord file's records, verifying the framing and both CRCs.

    Raises:
        CorpusError: The file is truncated or a CRC does not match; the message names
            the file and the byte offset of the bad record.
    """
    with open(path, "rb") as stream:
        file_size = os.fstat(stream.fileno()).st_size
        offset = 0
        while header := stream.read(_LENGTH.size + _CRC.size):
            if len(header) < _LENGTH.size + _CRC.size:
                raise CorpusError(f"{path}: truncated record header at byte {offset}")
            length_bytes, (length_crc,) = header[: _LENGTH.size], _CRC.unpack(header[_LENGTH.size :])
            if masked_crc32c(length_bytes) != length_crc:
                raise CorpusError(f"{path}: bad CRC in the record header at byte {offset}")
            (length,) = _LENGTH.unpack(length_bytes)
            # Checked before reading: a damaged length can claim more bytes than memory holds.
            if offset + len(header) + length + _CRC.size > file_size:
                raise CorpusError(f"{path}: truncated record at byte {offset}")
            data = stream.read(length)
            footer = stream.read(_CRC.size)
            if len(data) < length or len(footer) < _CRC.size:
                raise CorpusError(f"{path}: truncated record at byte {offset}")
            if masked_crc32c(data) != _CRC.unpack(footer)[0]:
                raise CorpusError(f"{path}: bad CRC in the record at byte {offset}")
            yield data
            offset += len(header) + length + _CRC.size
