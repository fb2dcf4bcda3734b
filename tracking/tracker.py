"""What every experiment tracker does: parameters, metrics per step, artefacts, an end."""

import abc
import pathlib
from collections.abc import Iterable

FINISH_STATUSES = ("completed", "failed", "interrupted")
"""How a tracked run can end, as in ``run.json``."""


class Tracker(abc.ABC):
    """An experiment tracker holding one run open from its creation until ``finish``."""

    @abc.abstractmethod
    def log_params(self, params: dict) -> None:
        """Records settings; nested dictionaries become dotted names (``resolved.hop``)."""

    @abc.abstractmethod
    def log_metrics(self, metrics: dict[str, float], step: int | None = None) -> None:
        """Records one value of each metric, at ``step`` (the epoch, counted from 0) if given."""

    @abc.abstractmethod
    def log_artifact(self, path: pathlib.Path, folder: str | None = None) -> None:
        """Stores a file, or a folder with its content, under ``folder`` of the run's artefacts."""

    @abc.abstractmethod
    def finish(self, status: str = "completed") -> None:
        """Closes the run as ``completed``, ``failed`` or ``interrupted``."""

    def log_outputs(self, output_dir: pathlib.Path, names: Iterable[str]) -> list[pathlib.Path]:
        """Stores those of ``names`` (relative to ``output_dir``) that exist, keeping their subfolders.

        Returns:
            The paths stored.
        """
        stored = []
        for name in names:
            path = pathlib.Path(output_dir) / name
            if path.exists():
                parent = pathlib.PurePosixPath(name).parent
                self.log_artifact(path, None if str(parent) == "." else str(parent))
                stored.append(path)
        return stored


def flatten_params(params: dict, prefix: str = "") -> dict[str, str]:
    """Nested settings as ``{"a.b": "value"}``, every value as text (None as ``"None"``)."""
    flat = {}
    for key, value in params.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten_params(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat
