"""A tiny Speech Commands folder in the real layout, written per test."""

import pathlib

import numpy as np
import pytest
import soundfile

from speechcommands.splits import which_split


def speakers_by_split(per_split: int = 2) -> dict[str, list[str]]:
    """The first `per_split` 8-hex-digit speaker names that the hashing rule puts in each split."""
    found = {"training": [], "validation": [], "testing": []}
    number = 0
    while any(len(names) < per_split for names in found.values()):
        speaker = f"{number:08x}"
        names = found[which_split(speaker)]
        if len(names) < per_split:
            names.append(speaker)
        number += 1
    return found


def write_speech_commands(
    root: pathlib.Path,
    words=("yes", "no", "up"),
    per_split: int = 2,
    lengths=(16000, 9000, 20000),
    lists: bool = True,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """Writes 16 kHz int16 WAV clips, the list files (unless `lists` is false) and the extras.

    Every speaker says every word once; clip lengths cycle through `lengths`, so
    some need padding and some cropping. The lists follow the hashing rule.

    Returns:
        Every clip's samples as written, by its path relative to `root`.
    """
    rng = np.random.default_rng(seed)
    speakers = speakers_by_split(per_split)
    clips = {}
    for word in words:
        (root / word).mkdir(parents=True)
        for speaker in sorted(name for names in speakers.values() for name in names):
            samples = rng.integers(-20000, 20000, lengths[len(clips) % len(lengths)]).astype(np.int16)
            clip = f"{word}/{speaker}_nohash_0.wav"
            soundfile.write(root / clip, samples, 16000, subtype="PCM_16")
            clips[clip] = samples
    if lists:
        for split in ("validation", "testing"):
            (root / f"{split}_list.txt").write_text(
                "".join(f"{clip}\n" for clip in sorted(clips) if which_split(clip) == split)
            )
    noise = root / "_background_noise_"
    noise.mkdir()
    soundfile.write(noise / "white_noise.wav", rng.integers(-100, 100, 48000).astype(np.int16), 16000)
    (root / "README.md").write_text("a tiny Speech Commands fixture\n")
    return clips


@pytest.fixture
def speech_commands_writer():
    """The `write_speech_commands` function, for tests that need another folder shape."""
    return write_speech_commands


@pytest.fixture
def split_speakers():
    """Two speaker names per split, as the hashing rule assigns them."""
    return speakers_by_split()


@pytest.fixture
def tiny_speech_commands(tmp_path):
    """`(root, samples_by_clip)` of 3 words × 6 speakers (2 per split) with list files."""
    root = tmp_path / "speech_commands"
    return root, write_speech_commands(root)
