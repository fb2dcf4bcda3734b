"""Scanning a LibriSpeech split: which utterances it holds and what is wrong with it.

A split without any ``.trans.txt`` file (LibriSpeech audio copied without its transcripts,
or a corpus laid out the same way that has none) converts every audio file with an empty
transcript; a split with transcript files requires a line for every file.
"""

import dataclasses
import pathlib
import re

from librispeech.corpus_error import CorpusError
from librispeech.utterance import Utterance

_UTTERANCE_ID = re.compile(r"([0-9]+)-([0-9]+)-([0-9]+)")
_MAX_ID = 2**63 - 1
"""The largest speaker or chapter number: records hold them as int64."""
_ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".zip")


@dataclasses.dataclass(frozen=True)
class SkippedFile:
    """A file left out of a conversion, with the reason.

    Attributes:
        path: The file (FLAC or transcript) at fault.
        reason: What is wrong with it, one line.
    """

    path: str
    reason: str


@dataclasses.dataclass
class SplitScan:
    """What scanning a split found.

    Attributes:
        split_dir: The split's folder (the root of the audio tree for `audio_tree_scan`).
        utterances: Every utterance with an audio file and, if the split has transcripts,
            a transcript line, in conversion order (for LibriSpeech by (speaker, chapter,
            utterance) number).
        problems: Files that cannot be converted as they are (no transcript line, a
            transcript line naming a missing file, a transcript that is not UTF-8, ...).
        transcripts: Whether the split has transcripts; without, every transcript is empty.
        speaker_names: The folder name behind each speaker number where the numbers were
            given to names (`audio_tree_scan`); empty where the names are the numbers.
    """

    split_dir: pathlib.Path
    utterances: list[Utterance]
    problems: list[SkippedFile]
    transcripts: bool = True
    speaker_names: dict[str, int] = dataclasses.field(default_factory=dict)


def find_splits(librispeech_dir: pathlib.Path) -> list[str]:
    """Names the splits under a LibriSpeech root: folders holding speaker folders."""
    if not librispeech_dir.is_dir():
        return []
    return sorted(
        entry.name
        for entry in librispeech_dir.iterdir()
        if entry.is_dir() and any(child.is_dir() and child.name.isdigit() for child in entry.iterdir())
    )


def scan_split(librispeech_dir: pathlib.Path | str, split: str) -> SplitScan:
    """Lists a split's utterances and the problems found on the way.

    Only file names and transcripts are read; the audio is checked during conversion.

    Args:
        librispeech_dir: The LibriSpeech root, holding one folder per split.
        split: The split's folder name, e.g. ``"dev-clean"``.

    Returns:
        The utterances and the problems.

    Raises:
        CorpusError: The root or the split is missing or an archive (the toolkit reads
            LibriSpeech extracted), or the split has no FLAC file.
    """
    root = pathlib.Path(librispeech_dir).expanduser()
    for given in (root, root / split):
        if given.name.lower().endswith(_ARCHIVE_SUFFIXES):
            raise CorpusError(
                f"{given}: an archive, which is not read; extract it first (tar -xzf {given.name} gives "
                "LibriSpeech/<split>/) and give the LibriSpeech folder and the split's name"
            )
    if not root.is_dir():
        raise CorpusError(f"{root}: LibriSpeech directory does not exist{_archive_hint(root, split)}")
    split_dir = root / split
    if not split_dir.is_dir():
        found = find_splits(root)
        listing = ", ".join(found) if found else "none"
        raise CorpusError(f"{root}: unknown split {split!r} (splits found: {listing}){_archive_hint(root, split)}")

    utterances: list[Utterance] = []
    problems: list[SkippedFile] = []
    # One transcript file anywhere makes the split transcribed, so that a chapter whose
    # transcript went missing is an error rather than a silently empty transcript.
    transcribed = any(split_dir.glob("*/*/*.trans.txt"))
    for chapter_dir in sorted(split_dir.glob("*/*")):
        if chapter_dir.is_dir():
            _scan_chapter(chapter_dir, utterances, problems, transcribed)
    if not utterances and not problems:
        raise CorpusError(f"{split_dir}: no .flac files found (expected <speaker>/<chapter>/*.flac)")
    utterances.sort(key=lambda u: tuple(int(part) for part in u.utterance_id.split("-")))
    return SplitScan(split_dir=split_dir, utterances=utterances, problems=problems, transcripts=transcribed)


def _archive_hint(root: pathlib.Path, split: str) -> str:
    """How to extract the split's downloaded archive, if it lies where the split was expected."""
    for folder in (root, root.parent):
        archive = folder / f"{split}.tar.gz"
        if archive.is_file():
            return f"; {archive} is not extracted: tar -xzf {archive} -C {root.parent}"
    return ""


def _scan_chapter(
    chapter_dir: pathlib.Path, utterances: list[Utterance], problems: list[SkippedFile], transcribed: bool
) -> None:
    speaker, chapter = chapter_dir.parent.name, chapter_dir.name
    audio_files = {path.stem: path for path in chapter_dir.glob("*.flac")}
    transcript_path = chapter_dir / f"{speaker}-{chapter}.trans.txt"
    transcripts = _read_transcripts(transcript_path, problems) if transcript_path.is_file() else {}
    if not transcribed:
        transcripts = {stem: "" for stem in audio_files}
    elif not transcript_path.is_file() and audio_files:
        problems.extend(
            SkippedFile(str(path), f"no transcript file {transcript_path.name}")
            for _, path in sorted(audio_files.items())
        )
        return
    for utterance_id in transcripts:
        if utterance_id not in audio_files:
            problems.append(
                SkippedFile(
                    str(transcript_path), f"transcript line for {utterance_id} but {utterance_id}.flac is missing"
                )
            )
    for stem, path in sorted(audio_files.items()):
        match = _UTTERANCE_ID.fullmatch(stem)
        if not match or match.group(1) != speaker or match.group(2) != chapter:
            problems.append(SkippedFile(str(path), f"file name is not {speaker}-{chapter}-<utterance>.flac"))
        elif max(int(speaker), int(chapter)) > _MAX_ID:
            problems.append(SkippedFile(str(path), f"speaker or chapter number is larger than {_MAX_ID}"))
        elif stem not in transcripts:
            problems.append(SkippedFile(str(path), f"no transcript line in {transcript_path.name}"))
        else:
            utterances.append(Utterance(stem, int(speaker), int(chapter), path, transcripts[stem]))


def _read_transcripts(path: pathlib.Path, problems: list[SkippedFile]) -> dict[str, str]:
    """Reads ``<utterance-id> TEXT`` lines; a file that is not UTF-8 yields no lines."""
    try:
        lines = path.read_bytes().decode("utf-8").splitlines()
    except UnicodeDecodeError as error:
        problems.append(SkippedFile(str(path), f"transcript is not UTF-8 (byte {error.start})"))
        return {}
    transcripts = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        utterance_id, _, text = line.strip().partition(" ")
        if not _UTTERANCE_ID.fullmatch(utterance_id):
            problems.append(SkippedFile(str(path), f"line {number} does not start with an utterance id"))
            continue
        transcripts[utterance_id] = text
    return transcripts
