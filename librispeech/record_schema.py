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

# Field numbers of tf.train.Feature's oneof and of the list messages inside it.
_FEATURE_FIELD = {"bytes": 1, "float": 2, "int64": 3}
_LENGTH_DELIMITED = 2


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
    samples = np.asarray(record.samples, dtype="<i2")
    count = len(samples)
    dc_offset = float(samples.sum(dtype=np.int64)) / count if count else 0.0
    # The extremes alone give the peak around the mean, without a float copy of the audio.
    peak = max(float(samples.max()) - dc_offset, dc_offset - float(samples.min())) if count else 0.0
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
    features = _Message()
    for name, value in values.items():
        entry = _Message()
        entry.add(1, _Message([name.encode()]))
        entry.add(2, _feature(FEATURE_KINDS[name], value))
        features.add(1, entry)
    example = _Message()
    example.add(1, features)
    # One join: the audio, most of the bytes, is copied once.
    return b"".join(example.pieces)


class _Message:
    """Protocol-buffer bytes kept as pieces with their total length, joined only once."""

    def __init__(self, pieces: list[bytes] | None = None):
        self.pieces = pieces or []
        self.length = sum(len(piece) for piece in self.pieces)

    def add(self, field_number: int, inner: "_Message") -> None:
        """Appends ``inner`` as a length-delimited field."""
        header = _varint(field_number << 3 | _LENGTH_DELIMITED) + _varint(inner.length)
        self.pieces.append(header)
        self.pieces.extend(inner.pieces)
        self.length += len(header) + inner.length


def tf_feature_spec() -> dict:
    """The ``tf.io.parse_example`` spec of the schema (every feature a scalar)."""
    import tensorflow as tf  # Imported here so that the writer side never loads TensorFlow.

    dtypes = {"bytes": tf.string, "int64": tf.int64, "float": tf.float32}
    return {name: tf.io.FixedLenFeature([], dtypes[kind]) for name, kind in FEATURE_KINDS.items()}


def _feature(kind: str, value) -> _Message:
    if kind == "bytes":
        payload = _Message([value])
    elif kind == "int64":
        payload = _Message([_varint(value & 0xFFFFFFFFFFFFFFFF)])
    else:
        payload = _Message([struct.pack("<f", value)])
    values_list = _Message()
    values_list.add(1, payload)
    feature = _Message()
    feature.add(_FEATURE_FIELD[kind], values_list)
    return feature


def _varint(value: int) -> bytes:
    encoded = bytearray()
    while value > 0x7F:
        encoded.append(value & 0x7F | 0x80)
        value >>= 7
    encoded.append(value)
    return bytes(encoded)
