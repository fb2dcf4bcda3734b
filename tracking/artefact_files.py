"""Writing a run's artefacts so that a reader never sees a half-written file.

Each writer saves under a hidden temporary name in the same folder and renames it into place,
which is atomic on one filesystem.
"""

import json
import os
import pathlib


def write_text(path: pathlib.Path, text: str) -> pathlib.Path:
    """Writes ``text`` to ``path`` as UTF-8; returns ``path``."""
    path = pathlib.Path(path)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
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
    figure.savefig(temporary, dpi=dpi)
    plt.close(figure)
    os.replace(temporary, path)


def save_model(model, path: pathlib.Path) -> None:
    """Saves a Keras model to ``path``; the temporary name keeps the suffix Keras picks the format by."""
    path = pathlib.Path(path)
    temporary = path.with_name(f".{path.stem}.tmp{path.suffix}")
    model.save(temporary)
    os.replace(temporary, path)
