"""Random folder names, file names and transcripts fed to the split scan, which parses the speaker labels."""

import re
import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from librispeech.corpus_error import CorpusError
from librispeech.split_scan import scan_split

_INT64_MAX = 2**63 - 1
_NUMBERS = st.one_of(
    st.integers(0, 300).map(str),
    st.integers(0, 300).map(lambda n: f"{n:04d}"),
    st.integers(_INT64_MAX - 1, _INT64_MAX + 1).map(str),
    st.integers(10**30, 10**40).map(str),
    st.sampled_from(["١٩", "-5", "1_0", "", "x"]),
)
_NAMES = st.one_of(
    _NUMBERS,
    st.text(st.characters(exclude_categories=("Cs",), exclude_characters="/\x00"), min_size=1, max_size=12).filter(
        lambda name: name not in (".", "..")
    ),
)


@st.composite
def _chapters(draw):
    """``(speaker, chapter, file stems, transcript bytes)`` for up to three chapter folders."""
    chapters = []
    for _ in range(draw(st.integers(1, 3))):
        speaker, chapter = draw(_NAMES), draw(_NAMES)
        stem = st.one_of(
            st.builds(lambda number, speaker=speaker, chapter=chapter: f"{speaker}-{chapter}-{number}", _NUMBERS),
            st.builds("-".join, st.lists(_NUMBERS, min_size=3, max_size=3)),
            _NAMES,
        )
        stems = draw(st.lists(stem.filter(bool), max_size=4, unique=True))
        line = st.tuples(
            st.sampled_from(stems) if stems else _NAMES, st.sampled_from([" ", "\t", "  ", ""]), st.text(max_size=12)
        )
        text = "\n".join(stem + separator + words for stem, separator, words in draw(st.lists(line, max_size=5)))
        transcript = text.encode("utf-8")
        transcript = draw(st.sampled_from([transcript, transcript + b"\xff", None]) | st.binary(max_size=60))
        chapters.append((speaker, chapter, stems, transcript))
    return chapters


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """A folder each example rebuilds its corpus in."""
    return tmp_path_factory.mktemp("scan_fuzz")


@settings(max_examples=150, deadline=None)
@given(chapters=_chapters())
def test_any_folder_and_transcript_gives_valid_utterances_or_listed_problems(scratch, chapters):
    root = scratch / "LibriSpeech"
    shutil.rmtree(root, ignore_errors=True)
    flac_files = set()
    for speaker, chapter, stems, transcript in chapters:
        if not speaker or not chapter:
            continue
        chapter_dir = root / "dev-clean" / speaker / chapter
        chapter_dir.mkdir(parents=True, exist_ok=True)
        for stem in stems:
            (chapter_dir / f"{stem}.flac").write_bytes(b"fLaC")
            flac_files.add(str(chapter_dir / f"{stem}.flac"))
        if transcript is not None:
            (chapter_dir / f"{speaker}-{chapter}.trans.txt").write_bytes(transcript)
    try:
        scan = scan_split(root, "dev-clean")
    except CorpusError as error:
        assert str(error).startswith(str(root)) and "\n" not in str(error)
        return

    keys = []
    for utterance in scan.utterances:
        match = re.fullmatch(r"([0-9]+)-([0-9]+)-([0-9]+)", utterance.utterance_id, re.ASCII)
        assert match, utterance.utterance_id
        assert utterance.speaker_id == int(match.group(1)) == int(utterance.path.parent.parent.name) <= _INT64_MAX
        assert utterance.chapter_id == int(match.group(2)) == int(utterance.path.parent.name) <= _INT64_MAX
        assert utterance.path.name == f"{utterance.utterance_id}.flac" and utterance.path.is_file()
        assert "\n" not in utterance.transcript and "\r" not in utterance.transcript
        keys.append(tuple(map(int, match.groups())))
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    skipped = {problem.path for problem in scan.problems}
    assert {str(utterance.path) for utterance in scan.utterances} | (flac_files & skipped) == flac_files
    assert all(isinstance(problem.reason, str) and problem.reason for problem in scan.problems)
