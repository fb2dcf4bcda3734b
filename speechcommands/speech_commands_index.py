"""Which clips a Speech Commands folder holds, their words and their splits.

The layout is the dataset's own, v0.01 (30 words) and v0.02 (35 words) alike:

    ROOT/<word>/<speakerhash>_nohash_<n>.wav    one folder per word
    ROOT/validation_list.txt, ROOT/testing_list.txt   "<word>/<file>.wav" lines
    ROOT/_background_noise_/                    not a word (folders starting with "_")

Scanning reads file names only, no audio, so every layout problem is found in
a fraction of a second, before anything is loaded or trained.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from speechcommands.speech_commands_error import SpeechCommandsError
from speechcommands.splits import which_split

SPLITS = ("training", "validation", "testing")
"""Split names, in the order they are reported."""

LIST_FILES = {"validation": "validation_list.txt", "testing": "testing_list.txt"}
"""The dataset's list file of each evaluation split; training is every other clip."""

_NOT_WORDS = ("_", ".")
"""Prefixes of folders that hold no word: `_background_noise_`, hidden folders."""


@dataclasses.dataclass(frozen=True)
class SpeechCommandsIndex:
    """The clips of a Speech Commands folder, by split, with their labels.

    Attributes:
        root: The dataset folder.
        words: The class names; a clip's label is its word's index here.
        clips: For each split in `SPLITS`, the clips' paths relative to
            `root` ("<word>/<file>.wav"), sorted.
        labels: For each split, the label of every clip in `clips`.
        split_source: "lists" when the splits come from validation_list.txt
            and testing_list.txt, "hashing" when from the dataset's hashing
            rule (`speechcommands.splits.which_split`) because both lists are
            missing.
    """

    root: Path
    words: tuple[str, ...]
    clips: dict[str, list[str]]
    labels: dict[str, list[int]]
    split_source: str

    def counts(self) -> dict[str, int]:
        """Number of clips in each split."""
        return {split: len(self.clips[split]) for split in SPLITS}


def scan_speech_commands(root: Path | str, words: tuple[str, ...] | list[str] | None = None) -> SpeechCommandsIndex:
    """Lists the clips of a Speech Commands folder and assigns them to splits.

    Args:
        root: The dataset folder, holding one folder per word.
        words: The words to keep, in label order; None keeps every word
            folder (folders starting with "_" or "." are not words), sorted.

    Returns:
        The `SpeechCommandsIndex`.

    Raises:
        SpeechCommandsError: The folder is missing or holds no word folder
            with .wav clips; a selected word has no folder or no clips or is
            given twice; only one of the two list files exists; a list names
            a clip that does not exist; a split ends up with no clip.
    """
    root = Path(root)
    if not root.is_dir():
        raise SpeechCommandsError(f"{root}: no such folder")
    available = {
        path.name: path
        for path in root.iterdir()
        if path.is_dir() and not path.name.startswith(_NOT_WORDS) and any(path.glob("*.wav"))
    }
    if not available:
        raise SpeechCommandsError(f"{root}: not a Speech Commands folder (no <word>/*.wav folders)")
    words = tuple(sorted(available)) if words is None else _checked_words(root, words, available)
    word_clips = {word: sorted(f"{word}/{path.name}" for path in available[word].glob("*.wav")) for word in words}
    assigned, split_source = _evaluation_splits(root, word_clips)
    clips = {split: [] for split in SPLITS}
    labels = {split: [] for split in SPLITS}
    for label, word in enumerate(words):
        for clip in word_clips[word]:
            split = assigned.get(clip, "training")
            clips[split].append(clip)
            labels[split].append(label)
    for split in SPLITS:
        if not clips[split]:
            raise SpeechCommandsError(f"{root}: no {split} clip among the words {', '.join(words)}")
    return SpeechCommandsIndex(root, words, clips, labels, split_source)


def _checked_words(root: Path, words, available: dict[str, Path]) -> tuple[str, ...]:
    words = tuple(words)
    if not words:
        raise SpeechCommandsError("no word selected")
    for word in words:
        if words.count(word) > 1:
            raise SpeechCommandsError(f"word {word!r} is selected twice")
        if word not in available:
            is_word_folder = (root / word).is_dir() and not word.startswith(_NOT_WORDS)
            problem = "has no .wav clip" if is_word_folder else "is not a word folder"
            raise SpeechCommandsError(f"{root / word}: {problem}")
    return words


def _evaluation_splits(root: Path, word_clips: dict[str, list[str]]) -> tuple[dict[str, str], str]:
    """Maps every validation and testing clip to its split; unmapped clips are training."""
    present = {split: (root / name).is_file() for split, name in LIST_FILES.items()}
    if not any(present.values()):
        hashed = {clip: which_split(clip) for clips in word_clips.values() for clip in clips}
        return {clip: split for clip, split in hashed.items() if split != "training"}, "hashing"
    if not all(present.values()):
        found = next(LIST_FILES[split] for split, exists in present.items() if exists)
        missing = next(LIST_FILES[split] for split, exists in present.items() if not exists)
        raise SpeechCommandsError(
            f"{root}: has {found} but no {missing}; provide both lists or neither "
            "(then the dataset's hashing rule assigns the splits)"
        )
    existing = {clip for clips in word_clips.values() for clip in clips}
    assigned = {}
    for split, name in LIST_FILES.items():
        list_path = root / name
        try:
            lines = list_path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            raise SpeechCommandsError(f"{list_path}: unreadable ({error})") from None
        for number, line in enumerate(lines, 1):
            clip = line.strip()
            if not clip or clip.split("/", 1)[0] not in word_clips:
                continue
            if clip not in existing:
                raise SpeechCommandsError(f"{list_path}:{number}: {clip} does not exist")
            if assigned.setdefault(clip, split) != split:
                raise SpeechCommandsError(f"{list_path}:{number}: {clip} is also in {LIST_FILES[assigned[clip]]}")
    return assigned, "lists"
