"""Label files and converted splits written per test, and a corpus whose audio carries its labels."""

import pathlib

import numpy as np
import pytest

from librispeech.manifest import Manifest, ShardEntry, write_manifest
from librispeech.record_schema import SCHEMA_VERSION, UtteranceRecord, serialize
from librispeech.tfrecord_file import TFRecordFileWriter

SAMPLE_RATE = 16000
LABEL_SAMPLES = 160
PHONE_TONES_HZ = (300.0, 800.0, 1800.0, 3600.0)
SPEAKER_TONES_HZ = {101: 5000.0, 202: 5800.0, 303: 6600.0, 404: 7400.0}


def write_alignment_files(directory: pathlib.Path, labels: dict, train_ids, test_ids, phones=None) -> pathlib.Path:
    """Writes converted_aligned_phones.txt, the split files and, if given, phones.txt."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "converted_aligned_phones.txt").write_text(
        "".join(f"{utterance} {' '.join(map(str, values))}\n" for utterance, values in labels.items())
    )
    (directory / "train_split.txt").write_text("".join(f"{utterance}\n" for utterance in train_ids))
    (directory / "test_split.txt").write_text("".join(f"{utterance}\n" for utterance in test_ids))
    if phones is not None:
        (directory / "phones.txt").write_text("".join(f"{index} {symbol}\n" for index, symbol in enumerate(phones)))
    return directory


def write_converted_split(directory: pathlib.Path, utterances: list[tuple[str, int, np.ndarray]], shards: int = 2):
    """Writes ``(utterance_id, speaker_id, int16 samples)`` as a converted split, as tfrecords.py would."""
    directory.mkdir(parents=True, exist_ok=True)
    entries = []
    for shard in range(shards):
        name = f"split-{shard:05d}-of-{shards:05d}.tfrecord"
        chosen = utterances[shard::shards]
        with TFRecordFileWriter(directory / name) as writer:
            for utterance, speaker, samples in chosen:
                chapter = int(utterance.split("-")[1])
                writer.write(serialize(UtteranceRecord(utterance, speaker, chapter, "WORDS", samples, SAMPLE_RATE)))
        entries.append(
            ShardEntry(
                name,
                (directory / name).stat().st_size,
                [u for u, _, _ in chosen],
                [len(s) for _, _, s in chosen],
                sorted({speaker for _, speaker, _ in chosen}),
            )
        )
    write_manifest(directory, Manifest(SCHEMA_VERSION, "split", "synthetic", SAMPLE_RATE, entries, []))
    return directory


def tone_utterance(rng: np.random.Generator, speaker: int, num_samples: int) -> tuple[np.ndarray, list[int]]:
    """Audio whose every 10 ms frame is the tone of its phone, over the speaker's own tone.

    Phones last 3 to 12 frames; the label of frame ``i`` is the phone sounding over samples
    ``160 i`` to ``160 i + 159``, so also at its centre.
    """
    num_labels = num_samples // LABEL_SAMPLES
    labels = []
    while len(labels) < num_labels:
        labels += [int(rng.integers(len(PHONE_TONES_HZ)))] * int(rng.integers(3, 13))
    labels = labels[:num_labels]
    per_sample = np.repeat(labels, LABEL_SAMPLES)
    per_sample = np.concatenate([per_sample, np.full(num_samples - len(per_sample), labels[-1])])
    time = np.arange(num_samples) / SAMPLE_RATE
    phone = np.sin(2 * np.pi * np.asarray(PHONE_TONES_HZ)[per_sample] * time)
    voice = 0.5 * np.sin(2 * np.pi * SPEAKER_TONES_HZ[speaker] * time)
    audio = 8000 * (phone + voice) + 200 * rng.standard_normal(num_samples) + 50
    return audio.astype(np.int16), labels


@pytest.fixture
def tone_corpus(tmp_path):
    """``(tfrecords_dir, alignments_dir)`` of 4 speakers × 6 utterances of 2.6 s, 4 for training, 2 for test.

    Every phone and every speaker has its own tone, so log-mel features carry both labels.
    """
    rng = np.random.default_rng(0)
    utterances, labels, train_ids, test_ids = [], {}, [], []
    for speaker in SPEAKER_TONES_HZ:
        for number in range(6):
            utterance = f"{speaker}-7-{number:04d}"
            samples, utterance_labels = tone_utterance(rng, speaker, 41_650)
            utterances.append((utterance, speaker, samples))
            labels[utterance] = utterance_labels
            (train_ids if number < 4 else test_ids).append(utterance)
    tfrecords_dir = write_converted_split(tmp_path / "tfrecords" / "train-clean-100", utterances)
    alignments_dir = write_alignment_files(tmp_path / "alignments", labels, train_ids, test_ids, ["SIL", "A", "B", "C"])
    return tfrecords_dir, alignments_dir


@pytest.fixture
def alignment_writer():
    """The `write_alignment_files` function, for tests that need other label files."""
    return write_alignment_files
