"""MLflow: parameters, metrics per epoch and artefacts of a run, in a local store by default."""

from __future__ import annotations

import os
import pathlib
import time
import urllib.parse

from cli.error_lines import first_line
from tracking.tracker import FINISH_STATUSES, Tracker, flatten_params
from tracking.tracking_error import MissingTrackerPackageError, TrackingError

DEFAULT_EXPERIMENT = "cpc-speech"
TRACKING_URI_VARIABLE = "MLFLOW_TRACKING_URI"
"""MLflow's own variable for the tracking server; a job's platform sets it."""
MLFLOW_STORE_FOLDER = "mlruns"
"""The default store's folder under the outputs root: ``mlflow.db`` and ``artifacts/``."""

_MLFLOW_STATUS = {"completed": "FINISHED", "failed": "FAILED", "interrupted": "KILLED"}
_MAX_PARAM_LENGTH = 6000  # MLflow rejects longer parameter values.
_PARAMS_PER_BATCH = 100  # MLflow's limit for one log_batch call.


def resolve_mlflow_uri(uri: str | None, store_root: pathlib.Path | str) -> str:
    """The tracking URI ``--mlflow`` asks for.

    MLflow's file store is deprecated, so local stores are SQLite databases.

    Args:
        uri: None or ``""`` for the default store: ``MLFLOW_TRACKING_URI`` where the environment
            sets it (Azure ML v2 jobs and Databricks do, pointing at the workspace's store), else
            ``<store_root>/mlruns/mlflow.db``; a URI with a scheme (``sqlite:///...``,
            ``http://...``, ``azureml://...``) as it is; a folder path for a SQLite store in that
            folder.
        store_root: The outputs root holding the local default store.
    """
    if not uri:
        uri = os.environ.get(TRACKING_URI_VARIABLE, "")
    if not uri:
        return _sqlite_uri(pathlib.Path(store_root) / MLFLOW_STORE_FOLDER)
    if len(urllib.parse.urlparse(uri).scheme) > 1:
        return uri
    return _sqlite_uri(pathlib.Path(uri))


class MlflowTracker(Tracker):
    """One MLflow run, opened at construction and closed by ``finish``.

    A run in a local SQLite store keeps its artefacts in ``artifacts/`` beside the database
    (MLflow would otherwise put them under the working directory).

    Args:
        tracking_uri: The store (``resolve_mlflow_uri``).
        run_name: The run's name in the MLflow UI (``pretraining``, ``kws``, ``probe-phone``).
        experiment: The experiment it belongs to, created if missing.
        tags: Text tags of the run (command, git commit).

    Raises:
        MissingTrackerPackageError: MLflow is not installed.
        TrackingError: The store cannot be opened.
    """

    def __init__(
        self, tracking_uri: str, run_name: str, experiment: str = DEFAULT_EXPERIMENT, tags: dict[str, str] | None = None
    ):
        try:
            from mlflow import MlflowClient
            from mlflow.entities import Metric, Param
        except ImportError:
            raise MissingTrackerPackageError("--mlflow needs MLflow: pip install -r requirements-mlflow.txt") from None
        self.tracking_uri = tracking_uri
        self.run_name = run_name
        self.experiment = experiment
        self.tags = dict(tags or {})
        self._metric = Metric
        self._param = Param
        try:
            database = _sqlite_path(tracking_uri)
            if database is not None:
                database.parent.mkdir(parents=True, exist_ok=True)
            self.client = MlflowClient(tracking_uri=tracking_uri)
            existing = self.client.get_experiment_by_name(experiment)
            if existing is not None:
                self.experiment_id = existing.experiment_id
            else:
                artifacts = (database.parent / "artifacts").as_uri() if database is not None else None
                self.experiment_id = self.client.create_experiment(experiment, artifact_location=artifacts)
            self.run_id = self.client.create_run(self.experiment_id, run_name=run_name, tags=self.tags).info.run_id
        except Exception as error:  # MLflow raises MlflowException, SQLAlchemy and OS errors alike.
            raise TrackingError(f"--mlflow {tracking_uri}: {first_line(error)}") from None

    def log_params(self, params: dict) -> None:
        entries = [self._param(name, value[:_MAX_PARAM_LENGTH]) for name, value in flatten_params(params).items()]
        for start in range(0, len(entries), _PARAMS_PER_BATCH):
            self.client.log_batch(self.run_id, params=entries[start : start + _PARAMS_PER_BATCH])

    def log_metrics(self, metrics: dict[str, float], step: int | None = None) -> None:
        timestamp = int(time.time() * 1000)
        entries = [self._metric(name, float(value), timestamp, step or 0) for name, value in metrics.items()]
        self.client.log_batch(self.run_id, metrics=entries)

    def log_artifact(self, path: pathlib.Path, folder: str | None = None) -> None:
        path = pathlib.Path(path)
        if path.is_dir():
            self.client.log_artifacts(self.run_id, str(path), artifact_path="/".join(filter(None, (folder, path.name))))
        else:
            self.client.log_artifact(self.run_id, str(path), artifact_path=folder)

    def finish(self, status: str = "completed") -> None:
        if status not in FINISH_STATUSES:
            raise TrackingError(f"run status must be one of {', '.join(FINISH_STATUSES)}, got {status!r}")
        self.client.set_terminated(self.run_id, status=_MLFLOW_STATUS[status])


def _sqlite_uri(folder: pathlib.Path) -> str:
    return f"sqlite:///{(folder / 'mlflow.db').resolve()}"


def _sqlite_path(uri: str) -> pathlib.Path | None:
    """The database file of a local SQLite URI, None for any other store."""
    prefix = "sqlite:///"
    if not uri.startswith(prefix) or uri == f"{prefix}:memory:":
        return None
    return pathlib.Path(uri[len(prefix) :])
