"""A converted corpus small enough for train.py runs of a few seconds, shared by the slow tests."""

import pathlib

import numpy as np
import pytest
import soundfile

from librispeech.split_converter import ConversionConfig, convert_split


@pytest.fixture(scope="session")
def convert_tiny_corpus():
    """The function below, for module-scoped fixtures that build their own corpus."""
    return _convert_tiny_corpus


@pytest.fixture(scope="session")
def convert_second_training_split():
    """``convert_second_training_split(root)``: adds train-other to a tiny corpus (`_convert_second_training_split`)."""
    return _convert_second_training_split


def _convert_tiny_corpus(root: pathlib.Path) -> pathlib.Path:
    """Writes and converts 3 training and 1 validation speakers of 4 one-second utterances.

    Each utterance is a tone of its own pitch in noise, so there is something to predict.

    Args:
        root: The LibriSpeech folder to create.

    Returns:
        The TFRecord root beside it, holding train-clean-100 and dev-clean.
    """
    rng = np.random.default_rng(0)
    for split, speakers in (("train-clean-100", (1, 2, 3)), ("dev-clean", (4,))):
        _convert_split(root, split, speakers, 16000, rng)
    return root.parent / "tfrecords"


def _convert_second_training_split(root: pathlib.Path) -> str:
    """Writes and converts train-other beside ``_convert_tiny_corpus``'s splits: speakers 1 and 2 (numbers
    train-clean-100 uses too) of 4 two-second utterances, 16 s against train-clean-100's 12 s.

    Returns:
        The split's name.
    """
    _convert_split(root, "train-other", (1, 2), 32000, np.random.default_rng(1))
    return "train-other"


def _convert_split(
    root: pathlib.Path, split: str, speakers: tuple[int, ...], num_samples: int, rng: np.random.Generator
) -> None:
    """Writes a LibriSpeech split of 4 tones in noise of ``num_samples`` samples per speaker, and converts it."""
    for speaker in speakers:
        chapter_dir = root / split / str(speaker) / "5"
        chapter_dir.mkdir(parents=True)
        lines = []
        for index in range(4):
            utterance_id = f"{speaker}-5-{index:04d}"
            tone = np.sin(np.arange(num_samples) * (0.05 + 0.01 * index)) * 8000
            samples = (tone + rng.normal(0, 500, num_samples)).astype(np.int16)
            soundfile.write(chapter_dir / f"{utterance_id}.flac", samples, 16000)
            lines.append(f"{utterance_id} X")
        (chapter_dir / f"{speaker}-5.trans.txt").write_text("\n".join(lines) + "\n")
    convert_split(ConversionConfig(root, split, shards=2, workers=1, show_progress=False))
