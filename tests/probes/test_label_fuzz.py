"""Random text and bytes fed to the phone-label parsers: they parse or name the file, nothing else."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from probes.phone_alignments import (
    ALIGNMENTS_NAME,
    MAX_PHONE_ID,
    PHONES_NAME,
    TEST_SPLIT_NAME,
    TRAIN_SPLIT_NAME,
    AlignmentError,
    read_aligned_phones,
    read_phone_alignments,
    read_phone_symbols,
    read_split_ids,
)

_IDS = st.sampled_from(["19-198-0000", "19-198-0001", "26-227-0000", "1-2-3"])
_NUMBERS = st.one_of(
    st.integers(0, 50),
    st.integers(-5, -1),
    st.integers(MAX_PHONE_ID - 1, MAX_PHONE_ID + 1),
    st.integers(2**31 - 1, 2**31),
    st.integers(2**63 - 2, 2**63 + 1),
    st.integers(-(2**64), 2**80),
).map(str)
_WORDS = st.one_of(
    _NUMBERS, _IDS, st.sampled_from(["SIL", "1.5", "x", "1e3", "0x10", "٣", "1_0", "+7", "nan"]), st.text(max_size=6)
)
_SEPARATORS = st.sampled_from([" ", "\t", "  ", " \t "])


@st.composite
def _label_text(draw) -> str:
    """Lines of fields that look like label files, with blank lines, tabs and odd numbers."""
    lines = []
    for _ in range(draw(st.integers(0, 6))):
        fields = draw(st.lists(_WORDS, max_size=6))
        line = draw(_SEPARATORS).join(fields)
        lines.append(draw(st.sampled_from(["", " ", "\t"])) + line)
    return draw(st.sampled_from(["\n", "\r\n"])).join(lines) + draw(st.sampled_from(["", "\n", "\n\n"]))


_CONTENTS = st.one_of(
    _label_text().map(lambda text: text.encode("utf-8")),
    st.binary(max_size=200),
    st.text(max_size=200).map(lambda text: text.encode("utf-8")),
    _label_text().map(lambda text: text.encode("utf-8") + b"\xff\xfe"),
)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """A folder each example overwrites its files in."""
    return tmp_path_factory.mktemp("label_fuzz")


def _refused(error: AlignmentError, path) -> None:
    message = str(error)
    assert message.startswith(f"{path}"), message
    assert "\n" not in message and "\r" not in message, message


def _is_integer_text(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True


def _fields(data: bytes) -> list[list[str]]:
    """The whitespace-separated fields of the non-blank lines, as the parsers must see them."""
    lines = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [line.split() for line in lines if line.split()]


@settings(max_examples=500, deadline=None)
@given(data=_CONTENTS, with_symbols=st.booleans())
def test_aligned_phones_parse_exactly_or_fail_naming_the_file(scratch, data, with_symbols):
    path = scratch / ALIGNMENTS_NAME
    path.write_bytes(data)
    symbols = {index: f"P{index}" for index in range(0, 50, 2)} if with_symbols else None
    try:
        labels = read_aligned_phones(path, symbols)
    except AlignmentError as error:
        _refused(error, path)
        return
    expected = {fields[0]: [int(value) for value in fields[1:]] for fields in _fields(data)}
    assert list(labels) == list(expected)
    for utterance, values in labels.items():
        assert values.dtype == np.int32 and values.ndim == 1
        assert values.tolist() == expected[utterance]
        assert 0 <= min(expected[utterance]) and max(expected[utterance]) <= MAX_PHONE_ID
        assert symbols is None or set(expected[utterance]) <= set(symbols)


@settings(max_examples=400, deadline=None)
@given(data=_CONTENTS)
def test_split_ids_parse_exactly_or_fail_naming_the_file(scratch, data):
    path = scratch / TRAIN_SPLIT_NAME
    path.write_bytes(data)
    try:
        ids = read_split_ids(path)
    except AlignmentError as error:
        _refused(error, path)
        return
    assert ids == [fields[0] for fields in _fields(data)]
    assert len(set(ids)) == len(ids) and all(len(fields) == 1 for fields in _fields(data))


@settings(max_examples=400, deadline=None)
@given(data=_CONTENTS)
def test_phone_symbols_parse_exactly_or_fail_naming_the_file(scratch, data):
    path = scratch / PHONES_NAME
    path.write_bytes(data)
    try:
        symbols = read_phone_symbols(path)
    except AlignmentError as error:
        _refused(error, path)
        return
    lines = _fields(data)
    # The ids are the first column when it is an integer on every line, else the second (Kaldi).
    id_first = all(_is_integer_text(fields[0]) for fields in lines)
    expected = (
        {int(fields[0]): fields[1] for fields in lines} if id_first else {int(fields[1]): fields[0] for fields in lines}
    )
    assert symbols == expected
    assert all(0 <= index <= MAX_PHONE_ID for index in symbols)


@settings(max_examples=300, deadline=None)
@given(alignments=_CONTENTS, train=_CONTENTS, test=_CONTENTS, phones=st.none() | _CONTENTS)
def test_a_labels_folder_of_random_files_is_read_consistently_or_refused(scratch, alignments, train, test, phones):
    folder = scratch / "folder"
    folder.mkdir(exist_ok=True)
    for name, data in (
        (ALIGNMENTS_NAME, alignments),
        (TRAIN_SPLIT_NAME, train),
        (TEST_SPLIT_NAME, test),
        (PHONES_NAME, phones),
    ):
        if data is None:
            (folder / name).unlink(missing_ok=True)
        else:
            (folder / name).write_bytes(data)
    try:
        read = read_phone_alignments(folder)
    except AlignmentError as error:
        _refused(error, folder)
        return
    assert read.train_ids and read.test_ids and not set(read.train_ids) & set(read.test_ids)
    assert all(utterance in read.labels for utterance in read.train_ids + read.test_ids)
    assert len(read.class_names()) == read.num_classes > max(int(v.max()) for v in read.labels.values())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("19-198-0000 0 99999999999999999999\n", "label 99999999999999999999 of utterance 19-198-0000 is larger than"),
        ("19-198-0000 -99999999999999999999 3\n", "label -99999999999999999999 of utterance 19-198-0000 is negative"),
        ("19-198-0000 99999999999999999999 x\n", "label 'x' of utterance 19-198-0000 is not an integer"),
        ("19-198-0000 4294967296\n", "label 4294967296 of utterance 19-198-0000 is larger than 4095"),
        ("19-198-0000 4095 4096\n", "label 4096 of utterance 19-198-0000 is larger than 4095"),
    ],
)
def test_labels_beyond_the_largest_phone_id_are_refused_not_wrapped(scratch, text, message):
    path = scratch / ALIGNMENTS_NAME
    path.write_text(text)
    with pytest.raises(AlignmentError, match=f"{ALIGNMENTS_NAME}:1: {message}"):
        read_aligned_phones(path)


def test_phone_ids_beyond_the_largest_are_refused(scratch):
    path = scratch / PHONES_NAME
    path.write_text("0 SIL\n4096 AA\n")
    with pytest.raises(AlignmentError, match=f"{PHONES_NAME}:2: phone id 4096 is larger than 4095"):
        read_phone_symbols(path)
