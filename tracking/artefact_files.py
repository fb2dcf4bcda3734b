"""Writing a run's artefacts so that a reader never sees a half-written file.

Each writer saves under a hidden temporary name in the same folder and renames it into place,
which is atomic on one filesystem; the data is flushed to disk before the rename and the
folder's entry after it, so that a power cut leaves the old file or the new one, not an empty one.
"""

import contextlib
import json
import os
import pathlib


def replace_durably(temporary: pathlib.Path, path: pathlib.Path) -> None:
    """Flushes ``temporary`` (a file, or a folder and everything in it) to disk, renames it to
    ``path`` and flushes the folder holding ``path``."""
    flush_to_disk(temporary)
    os.replace(temporary, path)
    flush_to_disk(pathlib.Path(path).parent)


def flush_to_disk(path: pathlib.Path) -> None:
    """``fsync`` of a file, or of a folder's entries and, below it, of every file and folder."""
    path = pathlib.Path(path)
    if path.is_dir() and not path.is_symlink():
        for child in path.iterdir():
            if child.is_dir() and not child.is_symlink():
                flush_to_disk(child)
            elif child.is_file() and not child.is_symlink():
                _fsync(child, os.O_RDONLY)
        _fsync(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    else:
        _fsync(path, os.O_RDONLY)


@contextlib.contextmanager
def removed_on_failure(temporary: pathlib.Path):
    """Removes the half-written ``temporary`` when the block fails (a full disk, a kill signal)."""
    try:
        yield
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _fsync(path: pathlib.Path, flags: int) -> None:
    descriptor = os.open(path, flags)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def write_text(path: pathlib.Path, text: str) -> pathlib.Path:
    """Writes ``text`` to ``path`` as UTF-8; returns ``path``."""
    path = pathlib.Path(path)
    temporary = path.with_name(f".{path.name}.tmp")
    with removed_on_failure(temporary):
        temporary.write_text(text, encoding="utf-8")
        replace_durably(temporary, path)
    return path


def write_json(path: pathlib.Path, content: dict, indent: int = 2) -> pathlib.Path:
    """Writes ``content`` as JSON to ``path``; returns ``path``."""
    return write_text(path, json.dumps(content, indent=indent) + "\n")


def save_figure(figure, path: pathlib.Path, dpi: int = 120) -> None:
    """Saves a matplotlib figure as PNG to ``path`` (creating its folder) and closes it."""
    import matplotlib.pyplot as plt  # The callers chose the Agg backend before importing pyplot.

    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.stem}.tmp.png")
    figure.tight_layout()
    with removed_on_failure(temporary):
        figure.savefig(temporary, dpi=dpi)
        plt.close(figure)
        replace_durably(temporary, path)


def save_model(model, path: pathlib.Path) -> None:
    """Saves a Keras model to ``path``; the temporary name keeps the suffix Keras picks the format by."""
    path = pathlib.Path(path)
    temporary = path.with_name(f".{path.stem}.tmp{path.suffix}")
    with removed_on_failure(temporary):
        model.save(temporary)
        replace_durably(temporary, path)


def os_error_line(error: OSError) -> str:
    """A failed file operation in one line: the path and the system's reason.

    ``"/data/out/run.json: No space left on device"``; for errors naming two paths (a
    rename), both.
    """
    reason = error.strerror or str(error)
    if error.filename is None:
        return reason
    if error.filename2 is not None:
        return f"{error.filename} -> {error.filename2}: {reason}"
    return f"{error.filename}: {reason}"
