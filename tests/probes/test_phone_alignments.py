import numpy as np
import pytest

from probes.phone_alignments import AlignmentError, read_phone_alignments, read_splits


def _write(directory, files):
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(text)
    return directory


_GOOD = {
    "converted_aligned_phones.txt": "19-198-0000 0 0 3 3 3 1\n\n19-198-0001 2 2 0\n26-227-0000 1 1 1 1\n",
    "train_split.txt": "19-198-0000\n26-227-0000\n",
    "test_split.txt": "\n19-198-0001\n",
    "phones.txt": "0 SIL\n1 AA\n2 B\n3 CH\n",
}


def test_reads_labels_splits_and_symbols(tmp_path):
    alignments = read_phone_alignments(_write(tmp_path, _GOOD))
    assert list(alignments.labels) == ["19-198-0000", "19-198-0001", "26-227-0000"]
    np.testing.assert_array_equal(alignments.labels["19-198-0000"], [0, 0, 3, 3, 3, 1])
    assert alignments.labels["19-198-0001"].dtype == np.int32
    assert alignments.train_ids == ["19-198-0000", "26-227-0000"]
    assert alignments.test_ids == ["19-198-0001"]
    assert alignments.num_classes == 4
    assert alignments.class_names() == ["SIL", "AA", "B", "CH"]


def test_without_phones_txt_classes_come_from_the_labels(tmp_path):
    files = {name: text for name, text in _GOOD.items() if name != "phones.txt"}
    alignments = read_phone_alignments(_write(tmp_path, files))
    assert alignments.phone_symbols is None
    assert alignments.num_classes == 4
    assert alignments.class_names() == ["0", "1", "2", "3"]


def test_reads_the_demo_corpus_format(tmp_path):
    from demo.librispeech_corpus import PHONES

    files = dict(_GOOD, **{"phones.txt": "".join(f"{i} {s}\n" for i, s in enumerate(PHONES))})
    alignments = read_phone_alignments(_write(tmp_path, files))
    assert alignments.num_classes == 40 and alignments.class_names()[:3] == ["SIL", "AA", "AE"]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "converted_aligned_phones.txt",
            "19-198-0000 0 1\n19-198-0001 0 x 2\n",
            r"converted_aligned_phones.txt:2: label 'x' of utterance 19-198-0001 is not an integer",
        ),
        (
            "converted_aligned_phones.txt",
            "19-198-0000 0 1.5\n",
            r"converted_aligned_phones.txt:1: label '1.5' of utterance 19-198-0000 is not an integer",
        ),
        (
            "converted_aligned_phones.txt",
            "19-198-0000 0 -1\n",
            r"converted_aligned_phones.txt:1: label -1 of utterance 19-198-0000 is negative",
        ),
        (
            "converted_aligned_phones.txt",
            "19-198-0000 0 1\n19-198-0001\n",
            r"converted_aligned_phones.txt:2: utterance 19-198-0001 has no labels",
        ),
        (
            "converted_aligned_phones.txt",
            "19-198-0000 0 1\n19-198-0001 2\n\n19-198-0000 3\n",
            r"converted_aligned_phones.txt:4: utterance 19-198-0000 is already aligned on line 1",
        ),
        (
            "converted_aligned_phones.txt",
            "19-198-0000 0 7\n",
            r"converted_aligned_phones.txt:1: label 7 of utterance 19-198-0000 is not an id of phones.txt",
        ),
        ("converted_aligned_phones.txt", "\n\n", r"converted_aligned_phones.txt: aligns no utterance"),
        (
            "train_split.txt",
            "19-198-0000\n19-198-0000\n",
            r"train_split.txt:2: utterance 19-198-0000 is already listed on line 1",
        ),
        ("train_split.txt", "19-198-0000 26-227-0000\n", r"train_split.txt:1: expected one utterance id, got 2 fields"),
        (
            "train_split.txt",
            "19-198-0000\n99-1-0000\n",
            r"train_split.txt:2: utterance 99-1-0000 has no alignment in converted_aligned_phones.txt",
        ),
        (
            "test_split.txt",
            "19-198-0001\n26-227-0000\n",
            r"test_split.txt:2: utterance 26-227-0000 is also in train_split.txt",
        ),
        ("test_split.txt", "", r"test_split.txt: lists no utterance"),
        ("phones.txt", "0 SIL\nAA 1\n", r"phones.txt:2: expected '<id> <symbol>' with a non-negative integer id"),
        ("phones.txt", "0 SIL\nAA\n", r"phones.txt:2: expected '<id> <symbol>'"),
        ("phones.txt", "SIL 0\nAA x\n", r"phones.txt:2: expected '<id> <symbol>' .*or Kaldi's '<symbol> <id>'"),
        ("phones.txt", "0 SIL\n1 AA\n1 B\n", r"phones.txt:3: phone id 1 is already defined on line 2"),
    ],
)
def test_each_malformed_file_is_reported_with_file_and_line(tmp_path, name, text, message):
    directory = _write(tmp_path, dict(_GOOD, **{name: text}))
    with pytest.raises(AlignmentError, match=message) as caught:
        read_phone_alignments(directory)
    assert str(caught.value).startswith(str(directory / name))
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("missing", ["converted_aligned_phones.txt", "train_split.txt", "test_split.txt"])
def test_a_missing_file_is_named(tmp_path, missing):
    directory = _write(tmp_path, {name: text for name, text in _GOOD.items() if name != missing})
    with pytest.raises(AlignmentError, match=f"{directory / missing}: no such file"):
        read_phone_alignments(directory)


def test_a_missing_directory_is_named(tmp_path):
    with pytest.raises(AlignmentError, match="nowhere: alignments directory does not exist"):
        read_phone_alignments(tmp_path / "nowhere")


def test_non_utf8_text_is_reported(tmp_path):
    directory = _write(tmp_path, _GOOD)
    (directory / "train_split.txt").write_bytes(b"19-198-0000\n\xff\xfe\n")
    with pytest.raises(AlignmentError, match="train_split.txt: not UTF-8 text"):
        read_phone_alignments(directory)


def test_speaker_splits_need_no_alignment_file(tmp_path):
    directory = _write(tmp_path, {"train_split.txt": "a\nb\n", "test_split.txt": "c\n"})
    assert read_splits(directory) == (["a", "b"], ["c"])


@pytest.mark.parametrize(
    "text",
    [
        "0 SIL\n1 AA\n2 B\n3 CH\n",
        "SIL 0\nAA 1\nB 2\nCH 3\n",
        "SIL 0 nonsilence\nAA 1 x y\nB 2\nCH 3\n",
        "0 SIL extra\n1 AA\n2 B\n3 CH\n",
    ],
    ids=["id-symbol", "kaldi", "kaldi-extra-columns", "extra-columns"],
)
def test_phone_symbols_in_either_order_with_extra_columns_ignored(tmp_path, text):
    directory = _write(tmp_path, dict(_GOOD, **{"phones.txt": text}))
    assert read_phone_alignments(directory).phone_symbols == {0: "SIL", 1: "AA", 2: "B", 3: "CH"}
