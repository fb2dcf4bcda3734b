"""``run.json``: how a run was started, on what, from which code and data, and how it ended."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import hashlib
import importlib.metadata
import json
import os
import pathlib
import platform
import subprocess
import sys
import time
from collections.abc import Iterable

from artefacts.atomic_files import write_text
from tracking.tracking_error import TrackingError

RUN_RECORD_NAME = "run.json"
RUN_RECORD_VERSION = 1
STATUSES = ("running", "completed", "failed", "interrupted")
"""``running`` until ``finish``; then how the run ended."""

RECORDED_PACKAGES = (
    "tensorflow",
    "keras",
    "tensorboard",
    "numpy",
    "scipy",
    "soundfile",
    "matplotlib",
    "pyyaml",
    "mlflow",
    "azureml-core",
)
"""Distributions whose versions every record lists; null for those not installed."""

_PROJECT_DIR = pathlib.Path(__file__).resolve().parent.parent
_GIT_TIMEOUT_SECONDS = 10
_MAX_LISTED_CHANGES = 50


class RunRecordError(TrackingError):
    """A run record asked for something it cannot record (a missing manifest, an unknown status)."""


@dataclasses.dataclass
class RunRecord:
    """The ``run.json`` of one run, rewritten atomically at its start and at its end.

    Start it before the run's work (``RunRecord.start``) and ``finish`` it afterwards, or use
    it as a context manager, which finishes it as ``failed`` (or ``interrupted`` on Ctrl-C)
    when the block raises and as ``completed`` otherwise.

    Attributes:
        path: The ``run.json`` file.
        content: What the file holds, JSON-ready.
        started_monotonic: ``time.monotonic()`` at the start, for the wall time.
    """

    path: pathlib.Path
    content: dict
    started_monotonic: float

    @classmethod
    def start(
        cls,
        output_dir: pathlib.Path | str,
        settings: dict,
        manifests: Iterable[pathlib.Path | str] = (),
        seeds: dict[str, int] | None = None,
        argv: list[str] | None = None,
        source_dir: pathlib.Path | str | None = None,
    ) -> RunRecord:
        """Writes ``output_dir/run.json`` with status ``running``.

        Args:
            output_dir: The run's output folder, created if missing.
            settings: Every resolved setting; paths and tuples are stored as strings and lists.
            manifests: ``manifest.json`` files, or folders holding one, of the data read.
            seeds: Every seed the run uses, by name.
            argv: The command line; None takes ``sys.argv``.
            source_dir: A folder of the git work tree whose commit is recorded; None takes
                this project's.

        Raises:
            RunRecordError: A manifest that does not exist.
        """
        path = pathlib.Path(output_dir) / RUN_RECORD_NAME
        content = {
            "run_record_version": RUN_RECORD_VERSION,
            "status": "running",
            "command": {
                "argv": list(sys.argv if argv is None else argv),
                "cwd": os.getcwd(),
                "executable": sys.executable,
            },
            "started": _now(),
            "finished": None,
            "wall_seconds": None,
            "settings": json.loads(json.dumps(settings, default=_jsonable)),
            "seeds": dict(seeds or {}),
            "data": [_manifest_entry(pathlib.Path(manifest)) for manifest in manifests],
            "git": git_state(pathlib.Path(source_dir) if source_dir is not None else _PROJECT_DIR),
            "python": {"version": platform.python_version(), "implementation": platform.python_implementation()},
            "platform": {"system": platform.platform(), "machine": platform.machine(), "host": platform.node()},
            "packages": package_versions(),
            "devices": devices(),
            "extra": {},
        }
        record = cls(path, content, time.monotonic())
        path.parent.mkdir(parents=True, exist_ok=True)
        record._write()
        return record

    @property
    def tags(self) -> dict[str, str]:
        """The command and code version, as string tags for a tracker."""
        git = self.content["git"]
        return {
            "command": " ".join(self.content["command"]["argv"]),
            "git_commit": str(git["commit"]),
            "git_dirty": str(git["dirty"]).lower(),
        }

    def finish(self, status: str = "completed", extra: dict | None = None) -> None:
        """Records the end time, wall seconds, ``status`` and ``extra`` and rewrites the file.

        Args:
            status: ``completed``, ``failed`` or ``interrupted``.
            extra: Anything else worth keeping (final metrics, the error), merged into ``extra``.

        Raises:
            RunRecordError: An unknown status.
        """
        if status not in STATUSES[1:]:
            raise RunRecordError(f"run status must be one of {', '.join(STATUSES[1:])}, got {status!r}")
        self.content["status"] = status
        self.content["finished"] = _now()
        self.content["wall_seconds"] = round(time.monotonic() - self.started_monotonic, 3)
        self.content["extra"].update(json.loads(json.dumps(extra or {}, default=_jsonable)))
        self._write()

    def __enter__(self) -> RunRecord:
        return self

    def __exit__(self, exception_type, exception, traceback) -> bool:
        if self.content["status"] != "running":
            return False
        if exception is None:
            self.finish("completed")
            return False
        status = "interrupted" if isinstance(exception, KeyboardInterrupt) else "failed"
        # On a full disk the record cannot be rewritten either: the error that stopped the run
        # is the one to show.
        with contextlib.suppress(OSError):
            self.finish(status, {"error": {"type": exception_type.__name__, "message": str(exception)}})
        return False

    def _write(self) -> None:
        write_text(self.path, json.dumps(self.content, indent=2) + "\n")


def git_state(directory: pathlib.Path) -> dict:
    """The commit checked out in ``directory``'s work tree and whether it has changes.

    Returns:
        ``{"commit", "dirty", "changes"}``: the commit hash, whether any tracked file differs or
        an untracked file is not ignored, and up to 50 ``git status --porcelain`` lines. Outside
        a work tree, without git or without a commit, commit and dirty are ``"unknown"``.
    """
    try:
        commit = _git(directory, "rev-parse", "HEAD").strip()
        changes = _git(directory, "status", "--porcelain").splitlines()
    except (OSError, subprocess.SubprocessError):
        return {"commit": "unknown", "dirty": "unknown", "changes": []}
    return {"commit": commit, "dirty": bool(changes), "changes": changes[:_MAX_LISTED_CHANGES]}


def package_versions(names: Iterable[str] = RECORDED_PACKAGES) -> dict[str, str | None]:
    """Installed version of each distribution, None for those not installed."""
    versions = {}
    for name in names:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def devices() -> list[dict]:
    """The devices TensorFlow finds, each ``{"type", "name"}`` plus its details (a GPU's model)."""
    try:
        import tensorflow as tf
    except ImportError:
        return []
    found = []
    for device in tf.config.list_physical_devices():
        entry = {"type": device.device_type, "name": device.name}
        if device.device_type == "GPU":
            entry.update({key: str(value) for key, value in tf.config.experimental.get_device_details(device).items()})
        found.append(entry)
    return found


def _git(directory: pathlib.Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(directory), *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=_GIT_TIMEOUT_SECONDS,
    ).stdout


def _manifest_entry(path: pathlib.Path) -> dict:
    manifest = path if path.name == "manifest.json" or path.is_file() else path / "manifest.json"
    if not manifest.is_file():
        raise RunRecordError(f"{manifest}: no such manifest")
    content = manifest.read_bytes()
    return {"manifest": str(manifest), "sha256": hashlib.sha256(content).hexdigest(), "bytes": len(content)}


def _now() -> str:
    return datetime.datetime.now().astimezone().isoformat(timespec="seconds")


def _jsonable(value):
    """Paths and other non-JSON settings as text, tuples and sets as lists."""
    if isinstance(value, (tuple, set, frozenset)):
        return list(value)
    return str(value)
