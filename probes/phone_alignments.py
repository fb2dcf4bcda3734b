"""The CPC paper's LibriSpeech phone labels: frame alignments, train/test split, phone symbols.

A labels folder holds:

* ``converted_aligned_phones.txt``: ``<utterance-id> l1 l2 ...``, one integer phone id per
  10 ms frame (160 samples at 16 kHz), label ``i`` being the phone at the centre of samples
  ``160 i`` to ``160 i + 159``;
* ``train_split.txt`` and ``test_split.txt``: one utterance id per line, the utterances the
  probe trains on and is scored on;
* ``phones.txt`` (optional): ``<id> <symbol>`` per line, e.g. ``0 SIL``, or Kaldi's
  ``<symbol> <id>`` (``SIL 0``); further columns are ignored.

Blank lines are ignored everywhere. Every problem is reported with the file and line.
"""

import dataclasses
import pathlib

import numpy as np

from probes.probe_error import ProbeError

ALIGNMENTS_NAME = "converted_aligned_phones.txt"
TRAIN_SPLIT_NAME = "train_split.txt"
TEST_SPLIT_NAME = "test_split.txt"
PHONES_NAME = "phones.txt"
LABEL_SAMPLES = 160
"""Samples per labelled frame: 10 ms at 16 kHz."""
MAX_PHONE_ID = 4095
"""The largest phone id accepted. Every id up to the largest is a class of the probe (with a row
and a column of its confusion matrix); phone sets hold tens of phones, so a larger id is a
corrupt or misread file."""


class AlignmentError(ProbeError):
    """A label file that is missing or malformed; the message names the file and line."""


@dataclasses.dataclass
class PhoneAlignments:
    """Frame-level phone labels and the utterances to train and test on.

    Attributes:
        labels: Phone ids per 10 ms frame, ``(frames,)`` int32, by utterance id.
        train_ids: Utterances the probe is trained on, in file order.
        test_ids: Utterances the probe is scored on, in file order.
        phone_symbols: Symbol of every phone id, from ``phones.txt``; None without it.
    """

    labels: dict[str, np.ndarray]
    train_ids: list[str]
    test_ids: list[str]
    phone_symbols: dict[int, str] | None = None

    @property
    def num_classes(self) -> int:
        """Phone classes: the entries of ``phones.txt``, else the largest label plus one."""
        if self.phone_symbols is not None:
            return max(self.phone_symbols) + 1
        return int(max(labels.max(initial=0) for labels in self.labels.values())) + 1

    def class_names(self) -> list[str]:
        """A name per class id: its symbol, or the id itself without ``phones.txt``."""
        symbols = self.phone_symbols or {}
        return [symbols.get(index, str(index)) for index in range(self.num_classes)]


def read_phone_alignments(directory: pathlib.Path | str) -> PhoneAlignments:
    """Reads and checks a labels folder.

    Args:
        directory: The folder holding the files listed in the module docstring.

    Returns:
        The `PhoneAlignments`, every split utterance having labels.

    Raises:
        AlignmentError: A missing file, a malformed line, a label that is not a non-negative
            integer (or not in ``phones.txt``), an utterance listed twice, an utterance in both
            splits or a split utterance without alignment.
    """
    directory = _existing_directory(directory)
    phone_symbols, labels = read_labels(directory)
    train_ids, test_ids = read_splits(directory)
    for name, ids in ((TRAIN_SPLIT_NAME, train_ids), (TEST_SPLIT_NAME, test_ids)):
        missing = next((utterance for utterance in ids if utterance not in labels), None)
        if missing is not None:
            line = _line_of(directory / name, missing)
            raise AlignmentError(
                f"{directory / name}:{line}: utterance {missing} has no alignment in {ALIGNMENTS_NAME}"
            )
    return PhoneAlignments(labels, train_ids, test_ids, phone_symbols)


def read_labels(directory: pathlib.Path | str) -> tuple[dict[int, str] | None, dict[str, np.ndarray]]:
    """The phone symbols of ``phones.txt`` (None without it) and the labels of every aligned utterance.

    Raises:
        AlignmentError: A missing folder or alignment file, or a malformed line.
    """
    directory = _existing_directory(directory)
    phones_path = directory / PHONES_NAME
    phone_symbols = read_phone_symbols(phones_path) if phones_path.is_file() else None
    return phone_symbols, read_aligned_phones(directory / ALIGNMENTS_NAME, phone_symbols)


def read_splits(directory: pathlib.Path | str) -> tuple[list[str], list[str]]:
    """Reads ``train_split.txt`` and ``test_split.txt`` of a labels folder.

    Raises:
        AlignmentError: A missing or empty file, a line that is not a single id, an id listed
            twice or an id in both files.
    """
    directory = _existing_directory(directory)
    train_ids = read_split_ids(directory / TRAIN_SPLIT_NAME)
    test_ids = read_split_ids(directory / TEST_SPLIT_NAME)
    train_set = set(train_ids)
    shared = next((utterance for utterance in test_ids if utterance in train_set), None)
    if shared is not None:
        line = _line_of(directory / TEST_SPLIT_NAME, shared)
        raise AlignmentError(f"{directory / TEST_SPLIT_NAME}:{line}: utterance {shared} is also in {TRAIN_SPLIT_NAME}")
    return train_ids, test_ids


def read_split_ids(path: pathlib.Path | str) -> list[str]:
    """Reads a split file: one utterance id per line.

    Raises:
        AlignmentError: A missing or empty file, a line with more than one field or an id
            listed twice.
    """
    path = pathlib.Path(path)
    ids, seen = [], {}
    for number, fields in _lines(path):
        if len(fields) != 1:
            raise AlignmentError(f"{path}:{number}: expected one utterance id, got {len(fields)} fields")
        utterance = fields[0]
        if utterance in seen:
            raise AlignmentError(f"{path}:{number}: utterance {utterance} is already listed on line {seen[utterance]}")
        seen[utterance] = number
        ids.append(utterance)
    if not ids:
        raise AlignmentError(f"{path}: lists no utterance")
    return ids


def read_aligned_phones(path: pathlib.Path | str, phone_symbols: dict[int, str] | None = None) -> dict[str, np.ndarray]:
    """Reads ``converted_aligned_phones.txt``.

    Args:
        path: The file.
        phone_symbols: If given, every label must be one of its ids.

    Returns:
        The labels ``(frames,)`` int32 by utterance id.

    Raises:
        AlignmentError: A missing or empty file, a line without labels, a label that is not an
            integer from 0 to ``MAX_PHONE_ID`` or not in ``phone_symbols``, or an utterance listed
            twice.
    """
    path = pathlib.Path(path)
    labels, lines = {}, {}
    for number, fields in _lines(path):
        utterance, values = fields[0], fields[1:]
        if utterance in lines:
            raise AlignmentError(
                f"{path}:{number}: utterance {utterance} is already aligned on line {lines[utterance]}"
            )
        if not values:
            raise AlignmentError(f"{path}:{number}: utterance {utterance} has no labels")
        frame_labels = _frame_labels(f"{path}:{number}", utterance, values)
        if phone_symbols is not None:
            unknown = next((int(label) for label in np.unique(frame_labels) if int(label) not in phone_symbols), None)
            if unknown is not None:
                raise AlignmentError(
                    f"{path}:{number}: label {unknown} of utterance {utterance} is not an id of {PHONES_NAME}"
                )
        labels[utterance] = frame_labels
        lines[utterance] = number
    if not labels:
        raise AlignmentError(f"{path}: aligns no utterance")
    return labels


def read_phone_symbols(path: pathlib.Path | str) -> dict[int, str]:
    """Reads ``phones.txt``: ``<id> <symbol>`` per line, or Kaldi's ``<symbol> <id>``.

    The order is the whole file's: the ids are the first column if it holds an integer on
    every line (the CPC paper's files), else the second (Kaldi's ``phones.txt``, e.g.
    ``SIL 1``). Columns after those two are ignored.

    Raises:
        AlignmentError: A missing or empty file, a line without an integer id from 0 to
            ``MAX_PHONE_ID`` and a symbol in either order, or an id listed twice.
    """
    path = pathlib.Path(path)
    lines = list(_lines(path))
    id_column = _id_column(path, lines)
    symbols, seen = {}, {}
    for number, fields in lines:
        index = int(fields[id_column])
        if index < 0:
            raise AlignmentError(f"{path}:{number}: expected '<id> <symbol>' with a non-negative integer id")
        if index > MAX_PHONE_ID:
            raise AlignmentError(f"{path}:{number}: phone id {index} is larger than {MAX_PHONE_ID}")
        if index in seen:
            raise AlignmentError(f"{path}:{number}: phone id {index} is already defined on line {seen[index]}")
        seen[index] = number
        symbols[index] = fields[1 - id_column]
    if not symbols:
        raise AlignmentError(f"{path}: defines no phone")
    return symbols


def _id_column(path: pathlib.Path, lines: list[tuple[int, list[str]]]) -> int:
    """0 when every line starts with an integer id, 1 when every line's second column is one.

    Raises:
        AlignmentError: Naming the first line that fits neither order, else the first line
            without an id in the first column.
    """
    fits = [
        (number, {column for column in (0, 1) if len(fields) >= 2 and _is_integer(fields[column])})
        for number, fields in lines
    ]
    for column in (0, 1):
        if all(column in columns for _, columns in fits):
            return column
    # A line that fits neither order, else the first that breaks this toolkit's own order.
    number = next((number for number, columns in fits if not columns), None)
    if number is None:
        number = next(number for number, columns in fits if 0 not in columns)
    raise AlignmentError(
        f"{path}:{number}: expected '<id> <symbol>' with a non-negative integer id (or Kaldi's '<symbol> <id>' on "
        "every line)"
    )


def _frame_labels(where: str, utterance: str, values: list[str]) -> np.ndarray:
    """One line's labels as int32, each checked to be an integer from 0 to ``MAX_PHONE_ID``.

    Args:
        where: ``<file>:<line>``, for the error message.
        utterance: The line's utterance id, for the error message.
        values: The label fields.
    """
    try:
        parsed = np.array(values, dtype=np.int64)
        low, high = int(parsed.min()), int(parsed.max())
    except (ValueError, OverflowError):
        bad = next((value for value in values if not _is_integer(value)), None)
        if bad is not None:
            raise AlignmentError(f"{where}: label {bad!r} of utterance {utterance} is not an integer") from None
        # Every field is an integer, one beyond int64: Python's ints find it, and the range
        # checks below refuse it.
        low, high = min(map(int, values)), max(map(int, values))
    if low < 0:
        raise AlignmentError(f"{where}: label {low} of utterance {utterance} is negative")
    if high > MAX_PHONE_ID:
        raise AlignmentError(f"{where}: label {high} of utterance {utterance} is larger than {MAX_PHONE_ID}")
    return parsed.astype(np.int32)


def _existing_directory(directory) -> pathlib.Path:
    directory = pathlib.Path(directory).expanduser()
    if not directory.is_dir():
        raise AlignmentError(f"{directory}: alignments directory does not exist")
    return directory


def _lines(path: pathlib.Path):
    """Yields ``(line number, whitespace-separated fields)`` of the non-blank lines."""
    try:
        handle = path.open(encoding="utf-8")
    except FileNotFoundError:
        raise AlignmentError(f"{path}: no such file") from None
    except OSError as error:
        raise AlignmentError(f"{path}: cannot read ({error.strerror})") from None
    with handle:
        try:
            for number, line in enumerate(handle, start=1):
                fields = line.split()
                if fields:
                    yield number, fields
        except UnicodeDecodeError:
            raise AlignmentError(f"{path}: not UTF-8 text") from None


def _line_of(path: pathlib.Path, utterance: str) -> int:
    return next(number for number, fields in _lines(path) if fields[0] == utterance)


def _is_integer(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True
