"""A tiny LibriSpeech corpus in the real layout, written per test."""

import pathlib

import numpy as np
import pytest
import soundfile


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
