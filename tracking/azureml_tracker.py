"""Azure ML: metrics, tags and files of the run this process belongs to (``Run.get_context()``)."""

from __future__ import annotations

import pathlib
import warnings

from tracking.tracker import FINISH_STATUSES, Tracker, flatten_params
from tracking.tracking_error import MissingTrackerPackageError, TrackingError


class AzureMLTracker(Tracker):
    """The Azure ML run of this process.

    Submitted to Azure ML, ``Run.get_context()`` is that run; started anywhere else it is an
    offline run that prints what it is asked to log (``Attempted to log scalar metric ...``).
    Settings become tags, metrics are logged once per epoch in order (the offline run has no
    steps), PNG files are logged as images as well as uploaded.

    Args:
        tags: Text tags of the run (command, git commit).

    Raises:
        MissingTrackerPackageError: azureml-core is not installed.
    """

    def __init__(self, tags: dict[str, str] | None = None):
        try:
            with warnings.catch_warnings():
                # azureml-core warns about its own deprecated enums on import; nothing to act on.
                warnings.simplefilter("ignore", DeprecationWarning)
                from azureml.core import Run
        except ImportError:
            raise MissingTrackerPackageError(
                "--azureml needs azureml-core: pip install -r requirements-azureml.txt"
            ) from None
        self.tags = dict(tags or {})
        self.run = Run.get_context()
        if self.tags:
            self.run.set_tags(self.tags)

    @property
    def offline(self) -> bool:
        """Whether this process runs outside Azure ML, so that nothing reaches a workspace."""
        return str(self.run.id).startswith("OfflineRun")

    def log_params(self, params: dict) -> None:
        self.run.set_tags(flatten_params(params))

    def log_metrics(self, metrics: dict[str, float], step: int | None = None) -> None:
        for name, value in metrics.items():
            self.run.log(name, float(value))

    def log_artifact(self, path: pathlib.Path, folder: str | None = None) -> None:
        path = pathlib.Path(path)
        name = "/".join(filter(None, (folder, path.name)))
        if path.is_dir():
            self.run.upload_folder(name, str(path))
            return
        if path.suffix == ".png":
            self.run.log_image(name, path=str(path))
        self.run.upload_file(name, str(path))

    def finish(self, status: str = "completed") -> None:
        if status not in FINISH_STATUSES:
            raise TrackingError(f"run status must be one of {', '.join(FINISH_STATUSES)}, got {status!r}")
        if status == "completed":
            self.run.complete()
        elif status == "failed":
            self.run.fail()
        else:
            self.run.cancel()
