"""The tracking flags every command shares (``--mlflow [URI]``, ``--azureml``) and the trackers they open."""

from __future__ import annotations

import argparse
import dataclasses
import pathlib

from tracking.azureml_tracker import AzureMLTracker
from tracking.mlflow_tracker import DEFAULT_EXPERIMENT, MlflowTracker, resolve_mlflow_uri
from tracking.trackers import Trackers
from tracking.tracking_error import TrackingError

MLFLOW_DEFAULT = ""
"""``--mlflow`` given without a URI: the default store under the outputs root."""


@dataclasses.dataclass
class TrackingOptions:
    """Which trackers a run uses besides TensorBoard and ``run.json`` (always written).

    Attributes:
        mlflow: None leaves MLflow off; ``""`` uses the default local store
            (``<outputs>/mlruns/mlflow.db``); anything else is a tracking URI or a store folder.
        azureml: Log to the Azure ML run of this process (offline: printed).
        experiment: The MLflow experiment the run joins.
    """

    mlflow: str | None = None
    azureml: bool = False
    experiment: str = DEFAULT_EXPERIMENT

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> TrackingOptions:
        """The options of flags added by ``add_tracking_arguments``."""
        return cls(mlflow=args.mlflow, azureml=args.azureml, experiment=args.mlflow_experiment)

    def open(
        self,
        run_name: str,
        store_root: pathlib.Path | str,
        params: dict | None = None,
        tags: dict[str, str] | None = None,
    ) -> Trackers:
        """Opens every tracker asked for and logs the run's settings to each.

        Args:
            run_name: The run's name (``pretraining``, ``kws``, ``probe-phone``).
            store_root: The outputs root, home of the default MLflow store.
            params: Every resolved setting.
            tags: The run record's tags (``RunRecord.tags``): command and git commit.

        Raises:
            MissingTrackerPackageError: A tracker's optional package is not installed.
            TrackingError: The MLflow store cannot be opened.
        """
        trackers = []
        try:
            if self.mlflow is not None:
                uri = resolve_mlflow_uri(self.mlflow, store_root)
                trackers.append(MlflowTracker(uri, run_name, self.experiment, tags))
            if self.azureml:
                trackers.append(AzureMLTracker(tags))
        except TrackingError:
            # A run already opened in another tracker would otherwise stay "running" for ever.
            Trackers(trackers).finish("failed")
            raise
        opened = Trackers(trackers)
        if params:
            opened.log_params(params)
        return opened


def add_tracking_arguments(parser: argparse.ArgumentParser) -> None:
    """Adds ``--mlflow [URI]``, ``--mlflow-experiment`` and ``--azureml`` in a "tracking" group."""
    group = parser.add_argument_group("tracking (TensorBoard logs and run.json are always written)")
    group.add_argument(
        "--mlflow",
        nargs="?",
        const=MLFLOW_DEFAULT,
        default=None,
        metavar="URI",
        help="log parameters, metrics per epoch and artefacts to MLflow; without URI to $MLFLOW_TRACKING_URI "
        "where it is set (Azure ML v2 jobs, Databricks), else to a local store in <outputs>/mlruns (browse: "
        "mlflow ui --backend-store-uri sqlite:///outputs/mlruns/mlflow.db); URI may be a tracking URI or a folder. "
        "Needs: pip install -r requirements-mlflow.txt",
    )
    group.add_argument(
        "--mlflow-experiment",
        default=TrackingOptions.experiment,
        metavar="NAME",
        help="MLflow experiment the run joins",
    )
    group.add_argument(
        "--azureml",
        action="store_true",
        help="log metrics to the Azure ML run of this process through SDK v1 (azureml-core; outside Azure ML "
        "an offline run prints them). Microsoft ended support for SDK v1 on 2026-06-30: on Azure ML v2 use "
        "--mlflow, which the job's MLFLOW_TRACKING_URI points at the workspace. "
        "Needs: pip install -r requirements-azureml.txt",
    )
