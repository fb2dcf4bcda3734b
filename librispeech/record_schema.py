"""The TFRecord schema of a converted utterance, shared by the writer and the readers.

One ``tf.train.Example`` per utterance:

| feature          | kind   | content                                                    |
|------------------|--------|------------------------------------------------------------|
| ``audio``        | bytes  | int16 little-endian PCM, mono                              |
| ``sample_rate``  | int64  | samples per second (16000)                                 |
| ``num_samples``  | int64  | length of ``audio`` in samples                             |
| ``speaker_id``   | int64  | LibriSpeech speaker number                                 |
| ``chapter_id``   | int64  | LibriSpeech chapter number                                 |
| ``utterance_id`` | bytes  | ``<speaker>-<chapter>-<utt>``                              |
| ``transcript``   | bytes  | UTF-8 transcript line text                                 |
| ``dc_offset``    | float  | mean of the samples, in int16 units                        |
| ``peak``         | float  | peak absolute value after removing ``dc_offset``           |

``dc_offset`` and ``peak`` let the training pipeline normalise a random crop by its whole
utterance's statistics without decoding the whole utterance.

Examples are encoded here as protocol-buffer bytes directly, so that conversion workers
need no TensorFlow; ``tf.io.parse_example`` reads them like any ``tf.train.Example``.
"""

import dataclasses
import struct

import numpy as np

from librispeech.audio_file import peak_about_mean

BYTES_PER_SAMPLE = 2
"""Bytes of one sample in the ``audio`` feature (int16)."""

SCHEMA_VERSION = 1
"""Bumped whenever a feature is added, removed or changes meaning."""

FEATURE_KINDS = {
    "audio": "bytes",
    "sample_rate": "int64",
    "num_samples": "int64",
    "speaker_id": "int64",
    "chapter_id": "int64",
    "utterance_id": "bytes",
    "transcript": "bytes",
    "dc_offset": "float",
    "peak": "float",
}

# Protocol-buffer tags (field number << 3 | 2, "length-delimited") of the fields written.
_FIELD_1, _FIELD_2 = b"\x0a", b"\x12"
# tf.train.Feature's oneof: bytes_list = 1, float_list = 2, int64_list = 3.
_KIND_FIELD = {"bytes": b"\x0a", "float": b"\x12", "int64": b"\x1a"}
_FLOAT32 = struct.Struct("<f")


@dataclasses.dataclass(frozen=True)
class UtteranceRecord:
    """A converted utterance, as stored in one TFRecord example.

    Attributes:
        utterance_id: ``<speaker>-<chapter>-<utt>``.
        speaker_id: Speaker number.
        chapter_id: Chapter number.
        transcript: Transcript text.
        samples: The audio, shape ``(samples,)``, int16.
        sample_rate: Samples per second.
    """

    utterance_id: str
    speaker_id: int
    chapter_id: int
    transcript: str
    samples: np.ndarray
    sample_rate: int


def serialize(record: UtteranceRecord) -> bytes:
    """Encodes a record as a serialized ``tf.train.Example``."""
    return b"".join(serialized_pieces(record))


def serialized_pieces(record: UtteranceRecord) -> list[bytes]:
    """The serialized ``tf.train.Example`` of a record, as pieces to be written in order.

    The audio, nearly all of the bytes, is a piece of its own, so that a writer can frame
    and write the record without first copying it into one string.
    """
    samples = np.asarray(record.samples, dtype="<i2")
    count = len(samples)
    dc_offset = float(samples.sum(dtype=np.int64)) / count if count else 0.0
    peak = peak_about_mean(dc_offset, float(samples.min()), float(samples.max())) if count else 0.0
    values = {
        "audio": samples.tobytes(),
        "sample_rate": record.sample_rate,
        "num_samples": count,
        "speaker_id": record.speaker_id,
        "chapter_id": record.chapter_id,
        "utterance_id": record.utterance_id.encode(),
        "transcript": record.transcript.encode(),
        "dc_offset": dc_offset,
        "peak": peak,
    }
    pieces, features_length = [], 0
    for name, value in values.items():
        kind = FEATURE_KINDS[name]
        if kind == "bytes":
            payload = value
        elif kind == "int64":
            payload = _varint(value & 0xFFFFFFFFFFFFFFFF)
        else:
            payload = _FLOAT32.pack(value)
        # Features.feature map entry {key, Feature}; Feature holds one list; the list holds
        # the single (packed) value.
        value_list = _FIELD_1 + _varint(len(payload))
        feature = _KIND_FIELD[kind] + _varint(len(value_list) + len(payload))
        entry = _KEY_ENTRIES[name] + _FIELD_2 + _varint(len(feature) + len(value_list) + len(payload))
        header = entry + feature + value_list
        header = _FIELD_1 + _varint(len(header) + len(payload)) + header
        if name == "audio":
            pieces += [header, payload]
        else:
            pieces.append(header + payload)
        features_length += len(header) + len(payload)
    return [_FIELD_1 + _varint(features_length), *pieces]


def tf_feature_spec() -> dict:
    """The ``tf.io.parse_example`` spec of the schema (every feature a scalar)."""
    import tensorflow as tf  # Imported here so that the writer side never loads TensorFlow.

    dtypes = {"bytes": tf.string, "int64": tf.int64, "float": tf.float32}
    return {name: tf.io.FixedLenFeature([], dtypes[kind]) for name, kind in FEATURE_KINDS.items()}


def _varint(value: int) -> bytes:
    encoded = bytearray()
    while value > 0x7F:
        encoded.append(value & 0x7F | 0x80)
        value >>= 7
    encoded.append(value)
    return bytes(encoded)


# The key field of each Features.feature map entry, the same in every record.
_KEY_ENTRIES = {name: _FIELD_1 + _varint(len(name)) + name.encode() for name in FEATURE_KINDS}
