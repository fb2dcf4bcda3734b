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
    dc_offset = float(samples.mean(dtype=np.float64)) if len(samples) else 0.0
    # The extremes alone give the peak around the mean, without a float copy of the audio.
    peak = max(float(samples.max()) - dc_offset, dc_offset - float(samples.min())) if len(samples) else 0.0
    values = {
        "audio": samples.tobytes(),
        "sample_rate": record.sample_rate,
        "num_samples": len(samples),
        "speaker_id": record.speaker_id,
        "chapter_id": record.chapter_id,
        "utterance_id": record.utterance_id.encode(),
        "transcript": record.transcript.encode(),
        "dc_offset": dc_offset,
        "peak": peak,
    }
    features = b"".join(
        _length_delimited(1, _length_delimited(1, name.encode()) + _length_delimited(2, _feature(FEATURE_KINDS[name], value)))
        for name, value in values.items()
    )
    return _length_delimited(1, features)


def tf_feature_spec() -> dict:
    """The ``tf.io.parse_example`` spec of the schema (every feature a scalar)."""
    import tensorflow as tf  # Imported here so that the writer side never loads TensorFlow.

    dtypes = {"bytes": tf.string, "int64": tf.int64, "float": tf.float32}
    return {name: tf.io.FixedLenFeature([], dtypes[kind]) for name, kind in FEATURE_KINDS.items()}


def _feature(kind: str, value) -> bytes:
    if kind == "bytes":
        payload = _length_delimited(1, value)
    elif kind == "int64":
        payload = _length_delimited(1, _varint(value & 0xFFFFFFFFFFFFFFFF))
    else:
        payload = _length_delimited(1, struct.pack("<f", value))
    return _length_delimited(_FEATURE_FIELD[kind], payload)


def _length_delimited(field_number: int, payload: bytes) -> bytes:
    return _varint(field_number << 3 | _LENGTH_DELIMITED) + _varint(len(payload)) + payload


def _varint(value: int) -> bytes:
    encoded = bytearray()
    while value > 0x7F:
        encoded.append(value & 0x7F | 0x80)
        value >>= 7
    encoded.append(value)
    return bytes(encoded)
