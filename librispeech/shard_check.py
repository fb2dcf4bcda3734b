"""Finding the damaged shard of a converted split once reading it has failed.

Training does not scan its shards before it starts (a split holds gigabytes);
``read_manifest`` only checks that each one is there with its recorded size. When the input
pipeline then fails on a bad record, TensorFlow's error names neither the file nor the
record, so the split is scanned here to say which shard to convert again.

Each shard listed in ``manifest.json`` is checked for what makes the input pipeline fail
and for disagreement with the manifest: its size, its framing and both CRCs of every
record, every record parsing as the record schema (each feature present with one value of
its type), audio bytes matching ``num_samples``, and the utterances the manifest lists, in
order. Files that the manifest does not list are read by nothing, so they are not checked.
"""

import itertools
import pathlib
import re
import shlex

import numpy as np
import tensorflow as tf

from librispeech.corpus_error import CorpusError
from librispeech.manifest import MANIFEST_NAME, Manifest, ShardEntry, read_manifest
from librispeech.record_schema import BYTES_PER_SAMPLE, tf_feature_spec
from librispeech.tfrecord_file import read_records

# TensorFlow quotes the bytes of a record it cannot parse in its message, and turning a
# message with bytes that are not UTF-8 into a Python string raises UnicodeDecodeError.
_PARSE_ERRORS = (tf.errors.InvalidArgumentError, UnicodeDecodeError)
READ_ERRORS = (tf.errors.DataLossError, tf.errors.NotFoundError, *_PARSE_ERRORS)
"""What reading a damaged shard with ``tf.data`` raises: a bad CRC or a truncated record,
a record that does not parse or whose audio disagrees with ``num_samples``, a vanished file."""

_PARSE_BATCH = 256
_FEATURE_IN_ERROR = re.compile(r"(?:Feature|Key): (\w+)")


def find_damaged_shard(directory: pathlib.Path | str) -> CorpusError | None:
    """Scans every shard of a converted split and describes the first damaged one.

    Args:
        directory: The split's TFRecord folder (with ``manifest.json``).

    Returns:
        The error to report: one line naming the shard, the problem and how to convert it
        again (or the manifest's own problem); None if every shard is sound and agrees
        with the manifest.
    """
    directory = pathlib.Path(directory).expanduser()
    try:
        manifest = read_manifest(directory, verify_files=False)
    except CorpusError as error:
        return error
    spec = tf_feature_spec()
    for shard in manifest.shards:
        try:
            _check_shard(directory, shard, spec)
        except CorpusError as error:
            command = _conversion_command(manifest, directory)
            return CorpusError(f"{error}; delete it and rerun {command} to convert it again")
    return None


def _conversion_command(manifest: Manifest, directory: pathlib.Path) -> str:
    """The ``tfrecords.py`` command that converts the split again, skipping its sound shards."""
    if manifest.speaker_names:  # A tree of audio files, converted with --audio-dir.
        return f"tfrecords.py --audio-dir {shlex.quote(manifest.source_dir)} --output-dir {shlex.quote(str(directory))}"
    return f"tfrecords.py {manifest.split}"


def _check_shard(directory: pathlib.Path, shard: ShardEntry, spec: dict) -> None:
    """Raises CorpusError naming the shard file and its first problem."""
    shard.check_file(directory)
    path = directory / shard.file
    utterance_ids = []
    try:
        records = read_records(path)
        while batch := list(itertools.islice(records, _PARSE_BATCH)):
            utterance_ids.extend(_parse(path, batch, len(utterance_ids) + 1, spec))
    except OSError as error:
        raise CorpusError(f"{path}: unreadable shard ({error.strerror})") from None
    if len(utterance_ids) != shard.num_records:
        raise CorpusError(f"{path}: holds {len(utterance_ids)} records, {MANIFEST_NAME} lists {shard.num_records}")
    for number, (found, listed) in enumerate(zip(utterance_ids, shard.utterance_ids), 1):
        if found != listed:
            raise CorpusError(
                f"{path}: record {number} is utterance {_shown(found)}, {MANIFEST_NAME} lists {_shown(listed)}"
            )


def _shown(utterance_id: str) -> str:
    """An utterance id for a one-line message: quoted and escaped if it holds a line break or other control."""
    return utterance_id if utterance_id.isprintable() else repr(utterance_id)


def _parse(path: pathlib.Path, records: list[bytes], first_number: int, spec: dict) -> list[str]:
    """Parses records as the input pipeline does and returns their utterance ids.

    Args:
        path: The shard, for messages.
        records: Serialized examples, ``len(records)`` of them.
        first_number: Number of the first record in the shard, from 1.
        spec: ``record_schema.tf_feature_spec()``.

    Raises:
        CorpusError: A record does not parse, or its audio is not ``num_samples`` long.
    """
    try:
        features = tf.io.parse_example(tf.constant(records), spec)
    except _PARSE_ERRORS:
        # Parsed one by one only to find the culprit: a batch is parsed 4 times faster.
        for number, record in enumerate(records, first_number):
            try:
                tf.io.parse_example(tf.constant([record]), spec)
            except _PARSE_ERRORS as error:
                raise CorpusError(f"{path}: record {number} {_parse_problem(error)}") from None
        raise
    audio_bytes = tf.strings.length(features["audio"]).numpy()
    num_samples = features["num_samples"].numpy()
    mismatched = np.flatnonzero(audio_bytes != num_samples * BYTES_PER_SAMPLE)
    if mismatched.size:
        index = mismatched[0]
        raise CorpusError(
            f"{path}: record {first_number + index} holds {audio_bytes[index]} bytes of audio "
            f"for {num_samples[index]} samples"
        )
    return [utterance_id.decode(errors="replace") for utterance_id in features["utterance_id"].numpy()]


def _parse_problem(error: Exception) -> str:
    """What is wrong with a record that ``tf.io.parse_example`` rejected."""
    message = error.message if isinstance(error, tf.errors.OpError) else ""
    # The search skips the quoted bytes of a record that is no Example at all.
    feature = None if "Could not parse example input" in message else _FEATURE_IN_ERROR.search(message)
    if feature is None:
        return "does not parse as a tf.train.Example"
    return f"does not match the record schema: feature {feature.group(1)} is missing or malformed"
