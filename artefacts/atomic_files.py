"""Writing a run's artefacts so that a reader never sees a half-written file.

Each writer saves under a hidden temporary name in the same folder and renames it into place,
which is atomic on one filesystem; the data is flushed to disk before the rename and the
folder's entry after it, so that a power cut leaves the old file or the new one, not an empty one.
"""

import contextlib
import errno
import json
import logging
import math
import os
import pathlib
import shutil

import numpy as np


def replace_durably(temporary: pathlib.Path, path: pathlib.Path) -> None:
    """Flushes ``temporary`` (a file, or a folder and everything in it) to disk, renames it to
    ``path`` and flushes the entries of the folder holding ``path``."""
    flush_to_disk(temporary)
    os.replace(temporary, path)
    flush_folder_entries(pathlib.Path(path).parent)


def flush_folder_entries(folder: pathlib.Path) -> None:
    """``fsync`` of a folder itself, which makes its renames durable, and not of the files in it.

    The files are not its to flush: other writers (a converter's workers) are renaming
    theirs in the same folder meanwhile.
    """
    _fsync(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))


def flush_to_disk(path: pathlib.Path) -> None:
    """``fsync`` of a file, or of a folder's entries and, below it, of every file and folder."""
    path = pathlib.Path(path)
    if path.is_dir() and not path.is_symlink():
        for child in path.iterdir():
            if child.is_dir() and not child.is_symlink():
                flush_to_disk(child)
            elif child.is_file() and not child.is_symlink():
                _fsync(child, os.O_RDONLY)
        flush_folder_entries(path)
    else:
        _fsync(path, os.O_RDONLY)


@contextlib.contextmanager
def naming_path(path: pathlib.Path):
    """Raises an `OSError` of the block that names no file (a ``write`` on a full disk) again,
    naming ``path``, so that its one-line message says which file failed."""
    try:
        yield
    except OSError as error:
        if error.filename is not None:
            raise
        raise OSError(error.errno, error.strerror or str(error), str(path)) from error


@contextlib.contextmanager
def removed_on_failure(temporary: pathlib.Path):
    """Removes the half-written ``temporary`` when the block fails (a full disk, a kill signal);
    an `OSError` naming no file is raised again naming ``temporary``."""
    try:
        with naming_path(temporary):
            yield
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def written_atomically(path: pathlib.Path, temporary: pathlib.Path | None = None):
    """Yields the temporary name the block writes ``path``'s new content to, by default
    ``.<name>.tmp`` beside it; renames it into place durably once the block succeeds, and
    removes it when the block fails."""
    path = pathlib.Path(path)
    temporary = temporary or path.with_name(f".{path.name}.tmp")
    with removed_on_failure(temporary):
        yield temporary
        replace_durably(temporary, path)


def _fsync(path: pathlib.Path, flags: int) -> None:
    descriptor = os.open(path, flags)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def write_text(path: pathlib.Path, text: str) -> pathlib.Path:
    """Writes ``text`` to ``path`` as UTF-8; returns ``path``."""
    with written_atomically(path) as temporary:
        temporary.write_text(text, encoding="utf-8")
    return pathlib.Path(path)


def write_json(path: pathlib.Path, content: dict, indent: int = 2) -> pathlib.Path:
    """Writes ``content`` as JSON to ``path``; returns ``path``."""
    return write_text(path, json.dumps(content, indent=indent) + "\n")


def save_figure(figure, path: pathlib.Path, dpi: int = 120) -> None:
    """Saves a matplotlib `Figure` as PNG to ``path``, creating its folder.

    The figures are built as `matplotlib.figure.Figure` objects, outside pyplot, so that no
    backend has to be chosen and none stays open in a notebook's figure registry.
    """
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.tight_layout()
    with written_atomically(path, path.with_name(f".{path.stem}.tmp.png")) as temporary:
        figure.savefig(temporary, dpi=dpi)


KERAS_FILE_SLACK_BYTES = 256 * 2**10
"""Room asked for beyond a model's weights and per-variable metadata: file headers, the config."""
BYTES_PER_VARIABLE = 4 * 2**10
"""Metadata of one variable in a Keras file (an HDF5 dataset's headers, a name)."""


def keras_file_bytes(model) -> int:
    """A generous estimate of the size of a file holding ``model``'s weights, in bytes."""
    weights = sum(math.prod(variable.shape) * np.dtype(variable.dtype).itemsize for variable in model.weights)
    return weights + BYTES_PER_VARIABLE * len(model.weights) + KERAS_FILE_SLACK_BYTES


def ensure_room(folder: pathlib.Path, needed_bytes: int) -> None:
    """Raises `OSError` (``ENOSPC``) naming ``folder`` when it has less free space than needed.

    Called before h5py writes a file: h5py crashes the process (a segmentation fault) when a
    write fails on a full disk, so a full disk must be found before, not by, the write.
    """
    free = shutil.disk_usage(folder).free
    if free < needed_bytes:
        raise OSError(
            errno.ENOSPC,
            f"{os.strerror(errno.ENOSPC)} ({free // 1024} KiB free, about {math.ceil(needed_bytes / 1024)} KiB needed)",
            str(folder),
        )


def save_model(model, path: pathlib.Path) -> None:
    """Saves a Keras model to ``path``; the temporary name keeps the suffix Keras picks the format by.

    An ``.h5`` file is chosen on purpose (``genc.h5`` loads with any Keras), so Keras's warning
    that HDF5 is a legacy format is left out of the log.
    """
    path = pathlib.Path(path)
    with _without_legacy_format_warning():
        _save_keras_file(model, model.save, path, path.with_name(f".{path.stem}.tmp{path.suffix}"))


_LEGACY_FORMAT_WARNING = "You are saving your model as an HDF5 file"


@contextlib.contextmanager
def _without_legacy_format_warning():
    """Drops Keras's HDF5-is-legacy warning (logged through absl's Python logger) for the block."""

    def keep(record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(_LEGACY_FORMAT_WARNING)

    logger = logging.getLogger("absl")
    logger.addFilter(keep)
    try:
        yield
    finally:
        logger.removeFilter(keep)


def save_weights(model, path: pathlib.Path) -> None:
    """Saves a Keras model's weights to ``path``, whose name ends in ``.weights.h5``."""
    path = pathlib.Path(path)
    stem = path.name.removesuffix(".weights.h5")
    _save_keras_file(model, model.save_weights, path, path.with_name(f".{stem}.tmp.weights.h5"))


def _save_keras_file(model, save, path: pathlib.Path, temporary: pathlib.Path) -> None:
    ensure_room(path.parent, keras_file_bytes(model))
    with written_atomically(path, temporary):
        save(temporary)


def write_npy(path: pathlib.Path, array: np.ndarray) -> None:
    """Saves a float32 array as a ``.npy`` file at ``path``, creating its folder."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    array = np.ascontiguousarray(array, dtype="<f4")
    with written_atomically(path) as temporary, open(temporary, "wb") as file:
        write_npy_header(file, array.shape)
        file.write(memoryview(array).cast("B"))


def write_npy_header(file, shape: tuple[int, ...]) -> None:
    """Writes the header of a ``.npy`` file holding a little-endian float32 array of ``shape``.

    The data then follows as raw bytes through the file's own ``write``, whose failure on a
    full disk names ENOSPC, where numpy's writer reports a bare short write.
    """
    header = {"descr": np.lib.format.dtype_to_descr(np.dtype("<f4")), "fortran_order": False, "shape": tuple(shape)}
    np.lib.format.write_array_header_1_0(file, header)
