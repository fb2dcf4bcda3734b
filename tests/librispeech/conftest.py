"""A tiny LibriSpeech corpus in the real layout, and converted splits written from records, per test."""

import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest
import soundfile

from librispeech.manifest import MANIFEST_NAME, Manifest, ShardEntry, read_manifest, write_manifest
from librispeech.record_schema import SCHEMA_VERSION, UtteranceRecord, serialize, tf_feature_spec
from librispeech.tfrecord_file import TFRecordFileWriter

REPO = pathlib.Path(__file__).resolve().parents[2]


def write_corpus(
    root: pathlib.Path,
    split: str = "dev-clean",
    speakers: tuple[int, ...] = (19, 26),
    chapters: tuple[int, ...] = (198, 227),
    utterances_per_chapter: int = 3,
    seconds: tuple[float, ...] = (1.5, 2.0, 0.5, 3.0),
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """Writes FLAC files and transcripts; returns every utterance's int16 samples by id."""
    rng = np.random.default_rng(seed)
    samples_by_id = {}
    count = 0
    for speaker in speakers:
        for chapter in chapters:
            chapter_dir = root / split / str(speaker) / str(chapter)
            chapter_dir.mkdir(parents=True)
            lines = []
            for index in range(utterances_per_chapter):
                utterance_id = f"{speaker}-{chapter}-{index:04d}"
                length = int(seconds[count % len(seconds)] * 16000)
                count += 1
                samples = (rng.standard_normal(length) * 3000 + rng.integers(-200, 200)).clip(-32768, 32767)
                samples = samples.astype(np.int16)
                soundfile.write(chapter_dir / f"{utterance_id}.flac", samples, 16000, subtype="PCM_16")
                lines.append(f"{utterance_id} WORDS OF {speaker} NUMBER {index}")
                samples_by_id[utterance_id] = samples
            (chapter_dir / f"{speaker}-{chapter}.trans.txt").write_text("\n".join(lines) + "\n")
    return samples_by_id


@pytest.fixture
def tiny_corpus(tmp_path):
    """``(librispeech_dir, samples_by_id)`` of a 12-utterance dev-clean split."""
    root = tmp_path / "LibriSpeech"
    return root, write_corpus(root)


@pytest.fixture
def corpus_writer():
    """The ``write_corpus`` function, for tests that need another corpus shape."""
    return write_corpus


def write_record_split(
    directory: pathlib.Path, shard_sizes: tuple[int, ...] = (3, 3), num_samples: int = 4000, split: str = "dev-clean"
) -> Manifest:
    """Writes a converted split straight from records (no FLAC, no worker processes).

    Shards are named as ``tfrecords.py`` names them and hold ``shard_sizes`` utterances of
    ``num_samples`` noise samples each; ``manifest.json`` lists them.
    """
    rng = np.random.default_rng(0)
    directory.mkdir(parents=True, exist_ok=True)
    entries = []
    for index, size in enumerate(shard_sizes):
        file = f"{split}-{index:05d}-of-{len(shard_sizes):05d}.tfrecord"
        utterance_ids = [f"{index + 1}-7-{number:04d}" for number in range(size)]
        with TFRecordFileWriter(directory / file) as writer:
            for utterance_id in utterance_ids:
                samples = (rng.standard_normal(num_samples) * 3000).astype(np.int16)
                writer.write(serialize(UtteranceRecord(utterance_id, index + 1, 7, "X", samples, 16000)))
        size_bytes = (directory / file).stat().st_size
        entries.append(ShardEntry(file, size_bytes, utterance_ids, [num_samples] * size, [index + 1]))
    manifest = Manifest(SCHEMA_VERSION, split, str(directory), 16000, entries, [])
    write_manifest(directory, manifest)
    return manifest


def rewrite_shard(directory: pathlib.Path, file: str, payloads: list[bytes]) -> None:
    """Replaces a shard's records with ``payloads``, framed with valid CRCs, and records its new size."""
    with TFRecordFileWriter(directory / file) as writer:
        for payload in payloads:
            writer.write(payload)
    manifest = json.loads((directory / MANIFEST_NAME).read_text())
    for shard in manifest["shards"]:
        if shard["file"] == file:
            shard["num_bytes"] = (directory / file).stat().st_size
    (directory / MANIFEST_NAME).write_text(json.dumps(manifest))


def converted_records(directory: pathlib.Path) -> dict:
    """Every record of a converted folder, parsed by TensorFlow: id → (int16 samples, features)."""
    import tensorflow as tf

    manifest = read_manifest(directory)
    found = {}
    for serialized in tf.data.TFRecordDataset(manifest.shard_paths(directory)):
        features = tf.io.parse_example(serialized, tf_feature_spec())
        record_id = features["utterance_id"].numpy().decode()
        assert record_id not in found, f"{record_id} appears twice"
        found[record_id] = (np.frombuffer(features["audio"].numpy(), "<i2"), features)
    return found


@pytest.fixture
def records_of():
    """The ``converted_records`` function."""
    return converted_records


@pytest.fixture
def record_split_writer():
    """The ``write_record_split`` function: a split of records without converting audio."""
    return write_record_split


@pytest.fixture
def shard_rewriter():
    """The ``rewrite_shard`` function: replaces a shard's records, keeping the manifest's size right."""
    return rewrite_shard


@pytest.fixture
def run_tfrecords():
    """Runs ``tfrecords.py`` with the given arguments (and ``--quiet``) from the repository root."""

    def run(*args) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(REPO / "tfrecords.py"), *map(str, args), "--quiet"],
            capture_output=True,
            text=True,
            cwd=REPO,
        )

    return run
