import pytest

from librispeech.corpus_error import CorpusError
from librispeech.split_scan import scan_split


def test_lists_every_utterance_in_numeric_order(tiny_corpus):
    root, samples_by_id = tiny_corpus
    scan = scan_split(root, "dev-clean")
    assert [u.utterance_id for u in scan.utterances] == sorted(
        samples_by_id, key=lambda i: tuple(map(int, i.split("-")))
    )
    first = scan.utterances[0]
    assert (first.speaker_id, first.chapter_id, first.transcript) == (19, 198, "WORDS OF 19 NUMBER 0")
    assert scan.problems == []


def test_missing_root_and_unknown_split(tmp_path, tiny_corpus):
    root, _ = tiny_corpus
    with pytest.raises(CorpusError, match=r"nowhere: LibriSpeech directory does not exist"):
        scan_split(tmp_path / "nowhere", "dev-clean")
    with pytest.raises(CorpusError, match=r"unknown split 'test-other' \(splits found: dev-clean\)"):
        scan_split(root, "test-other")


@pytest.mark.parametrize("given_as", ["root", "split"])
def test_an_archive_is_refused_saying_to_extract_it(tmp_path, given_as):
    archive = tmp_path / "dev-clean.tar.gz"
    archive.write_bytes(b"\x1f\x8b\x08")
    root, split = (archive, "dev-clean") if given_as == "root" else (tmp_path, archive.name)
    with pytest.raises(CorpusError) as error:
        scan_split(root, split)
    assert str(error.value) == (
        f"{archive}: an archive, which is not read; extract it first (tar -xzf dev-clean.tar.gz gives "
        "LibriSpeech/<split>/) and give the LibriSpeech folder and the split's name"
    )


def test_a_split_still_in_its_archive_says_how_to_extract_it(tmp_path, tiny_corpus):
    root, _ = tiny_corpus
    archive = root.parent / "test-clean.tar.gz"
    archive.write_bytes(b"\x1f\x8b\x08")
    with pytest.raises(CorpusError) as error:
        scan_split(root, "test-clean")
    assert str(error.value) == (
        f"{root}: unknown split 'test-clean' (splits found: dev-clean); "
        f"{archive} is not extracted: tar -xzf {archive} -C {root.parent}"
    )
    with pytest.raises(CorpusError, match=f"LibriSpeech directory does not exist; {archive} is not extracted"):
        scan_split(root.parent / "absent", "test-clean")


def test_split_without_flac(tmp_path):
    (tmp_path / "dev-clean" / "19" / "198").mkdir(parents=True)
    with pytest.raises(CorpusError, match=r"dev-clean: no \.flac files found"):
        scan_split(tmp_path, "dev-clean")


def test_transcript_problems_are_listed(tiny_corpus):
    root, _ = tiny_corpus
    chapter = root / "dev-clean" / "19" / "198"
    transcript = chapter / "19-198.trans.txt"
    lines = transcript.read_text().splitlines()
    transcript.write_text("\n".join(lines[1:] + ["19-198-0009 A LINE FOR NO FILE"]) + "\n")
    (root / "dev-clean" / "26" / "227" / "26-227.trans.txt").write_bytes(b"26-227-0000 CAF\xe9\n")

    problems = {(p.path.rsplit("/", 1)[1], p.reason) for p in scan_split(root, "dev-clean").problems}

    assert ("19-198-0000.flac", "no transcript line in 19-198.trans.txt") in problems
    assert ("19-198.trans.txt", "transcript line for 19-198-0009 but 19-198-0009.flac is missing") in problems
    assert ("26-227.trans.txt", "transcript is not UTF-8 (byte 15)") in problems
    assert ("26-227-0002.flac", "no transcript line in 26-227.trans.txt") in problems
