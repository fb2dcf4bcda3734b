"""Scanning a tree of audio files (Libri-Light's ``<speaker>/<book>/<file>.flac``, a user's recordings).

Every file with a chosen extension under the root is an utterance, searched recursively;
hidden files and folders (a leading ``.``, such as macOS's ``._`` companions) are passed
over. The utterance id is the file's path relative to the root without its extension,
with ``/`` between folders, kept as it is, odd characters included. No transcript is read:
every transcript is empty.
"""

import os
import pathlib

from librispeech.corpus_error import CorpusError
from librispeech.split_scan import SkippedFile, SplitScan
from librispeech.utterance import Utterance

DEFAULT_EXTENSIONS = ("flac", "wav", "ogg")
_MAX_ID = 2**63 - 1
"""The largest speaker number: records hold it as int64."""


def scan_audio_tree(
    audio_dir: pathlib.Path | str, extensions: tuple[str, ...] = DEFAULT_EXTENSIONS, speaker_level: int = 1
) -> SplitScan:
    """Lists the audio files of a tree as utterances, ordered by their ids.

    Only names are read; the audio is checked during conversion.

    Args:
        audio_dir: The root of the tree.
        extensions: File name endings that mark audio files, without the dot, in any case.
        speaker_level: Which folder level names the speaker: 1 the first below the root,
            2 the second, ...; 0 makes every file one speaker's, number 0. Speaker names
            become numbers by `speaker_numbers`.

    Returns:
        The utterances and the problems: a file lying less deep than ``speaker_level``
        folders, a file whose name is not UTF-8, a second file with the same id (another
        extension).

    Raises:
        CorpusError: The root is missing or not a folder, ``speaker_level`` is negative,
            no extension is given, or no audio file is found.
    """
    root = pathlib.Path(audio_dir).expanduser()
    if not root.is_dir():
        raise CorpusError(f"{root}: audio directory does not exist" if not root.exists() else f"{root}: not a folder")
    if speaker_level < 0:
        raise CorpusError(f"speaker level must be 0 or more, not {speaker_level}")
    suffixes = {"." + extension.lower().lstrip(".") for extension in extensions if extension.strip(".")}
    if not suffixes:
        raise CorpusError("no audio file extension given")

    problems: list[SkippedFile] = []
    named: dict[str, tuple[pathlib.Path, str]] = {}
    for path, utterance_id in _audio_files(root, suffixes):
        if not _is_utf8(utterance_id):
            problems.append(SkippedFile(str(path), "file name is not UTF-8, which records hold"))
        elif utterance_id in named:
            problems.append(SkippedFile(str(path), f"same utterance id {utterance_id!r} as {named[utterance_id][0]}"))
        elif speaker_level and len(folders := pathlib.PurePosixPath(utterance_id).parts[:-1]) < speaker_level:
            problems.append(SkippedFile(str(path), f"lies in fewer than {speaker_level} folders, so names no speaker"))
        else:
            named[utterance_id] = (path, folders[speaker_level - 1] if speaker_level else "")
    if not named and not problems:
        listing = ", ".join(sorted(suffixes))
        raise CorpusError(f"{root}: no audio files found ({listing}, searched in every folder)")
    numbers = speaker_numbers({speaker for _, speaker in named.values()}) if speaker_level else {"": 0}
    utterances = [
        Utterance(utterance_id, numbers[speaker], 0, path, "") for utterance_id, (path, speaker) in named.items()
    ]
    return SplitScan(root, utterances, problems, transcripts=False, speaker_names=numbers if speaker_level else {})


def speaker_numbers(names: set[str]) -> dict[str, int]:
    """Numbers speaker folder names, as records hold speakers as int64.

    Names that are all decimal numbers (as Libri-Light's are) keep their numbers, unless two
    spell one number ("07", "7") or one exceeds int64; otherwise the sorted names are
    numbered 0, 1, ... Either way the numbers follow from the names alone, so that two
    conversions of one tree agree.

    Returns:
        ``{name: number}``, one distinct number per name.
    """
    if all(name.isascii() and name.isdigit() for name in names):
        numbers = {name: int(name) for name in names}
        if len(set(numbers.values())) == len(numbers) and max(numbers.values(), default=0) <= _MAX_ID:
            return numbers
    return {name: number for number, name in enumerate(sorted(names))}


def _audio_files(root: pathlib.Path, suffixes: set[str]) -> list[tuple[pathlib.Path, str]]:
    """``(path, utterance id)`` of every audio file under ``root``, sorted by id."""
    found = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        for name in files:
            suffix = os.path.splitext(name)[1]
            if not name.startswith(".") and suffix.lower() in suffixes:
                path = pathlib.Path(folder, name)
                relative = path.relative_to(root).as_posix()
                found.append((path, relative[: -len(suffix)]))
    # Sorted with surrogate escapes as they are, so that a name that is not UTF-8 sorts too.
    return sorted(found, key=lambda item: item[1])


def _is_utf8(text: str) -> bool:
    """Whether a name read from the file system is valid UTF-8 (no surrogate escapes)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
