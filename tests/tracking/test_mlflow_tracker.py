"""MLflow tracking into a real local store, read back through MLflow's own client."""

import sys

import keras
import numpy as np
import pytest
from mlflow import MlflowClient

from pretraining.training_plots import plot_prediction_accuracy
from tracking.mlflow_tracker import DEFAULT_EXPERIMENT, MlflowTracker, resolve_mlflow_uri
from tracking.tracker_callback import TrackerCallback
from tracking.tracking_error import MissingTrackerPackageError, TrackingError
from tracking.tracking_options import TrackingOptions

SETTINGS = {"epochs": 3, "lr": 0.01, "encoder": "seed", "dim_c": None, "resolved": {"hop": 256, "conv_dims": [[1, 2]]}}


def test_resolve_mlflow_uri(tmp_path, monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    assert resolve_mlflow_uri(None, tmp_path) == f"sqlite:///{tmp_path.resolve()}/mlruns/mlflow.db"
    assert resolve_mlflow_uri("", tmp_path) == f"sqlite:///{tmp_path.resolve()}/mlruns/mlflow.db"
    assert resolve_mlflow_uri("sqlite:///runs.db", tmp_path) == "sqlite:///runs.db"
    assert resolve_mlflow_uri("http://127.0.0.1:5000", tmp_path) == "http://127.0.0.1:5000"
    assert resolve_mlflow_uri(str(tmp_path / "store"), "ignored") == f"sqlite:///{tmp_path.resolve()}/store/mlflow.db"


def test_without_a_uri_the_platforms_tracking_uri_wins_over_the_local_store(tmp_path, monkeypatch):
    workspace = "azureml://westeurope.api.azureml.ms/mlflow/v1.0/subscriptions/s/resourceGroups/g/workspaces/w"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", workspace)
    assert resolve_mlflow_uri(None, tmp_path) == workspace
    assert resolve_mlflow_uri("", tmp_path) == workspace
    assert resolve_mlflow_uri("http://127.0.0.1:5000", tmp_path) == "http://127.0.0.1:5000"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "")
    assert resolve_mlflow_uri(None, tmp_path) == f"sqlite:///{tmp_path.resolve()}/mlruns/mlflow.db"


def test_a_training_run_is_read_back_with_params_metric_history_and_artefacts(tmp_path, fit_tiny_model):
    outputs = tmp_path / "outputs"
    trackers = TrackingOptions(mlflow="").open("pretraining", outputs, SETTINGS, {"command": "train.py --epochs 3"})
    history = fit_tiny_model([TrackerCallback(trackers)], epochs=3)

    keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)]).save(outputs / "genc.h5")
    plot_prediction_accuracy(history, 2, 1 / 11, outputs / "plots" / "prediction_accuracy.png")
    (outputs / "kws").mkdir()
    (outputs / "kws" / "results.md").write_text("| row | test |\n")
    stored = trackers.log_outputs(outputs, ["genc.h5", "plots", "kws/results.md", "metrics.json"])
    assert stored == [outputs / "genc.h5", outputs / "plots", outputs / "kws" / "results.md"]
    trackers.finish("completed")
    (tracker,) = trackers.trackers

    client = MlflowClient(tracking_uri=f"sqlite:///{outputs.resolve()}/mlruns/mlflow.db")
    run = client.get_run(tracker.run_id)
    assert run.info.status == "FINISHED" and run.info.run_name == "pretraining"
    assert client.get_experiment(run.info.experiment_id).name == DEFAULT_EXPERIMENT
    assert run.data.params == {
        "epochs": "3",
        "lr": "0.01",
        "encoder": "seed",
        "dim_c": "None",
        "resolved.hop": "256",
        "resolved.conv_dims": "[[1, 2]]",
    }
    assert run.data.tags["command"] == "train.py --epochs 3"
    for name in ("loss", "val_loss", "accuracy_1", "val_accuracy_2"):
        metric = client.get_metric_history(tracker.run_id, name)
        assert [point.step for point in metric] == [0, 1, 2]
        np.testing.assert_allclose([point.value for point in metric], history[name], rtol=1e-6)
    learning_rate = client.get_metric_history(tracker.run_id, "learning_rate")
    np.testing.assert_allclose([point.value for point in learning_rate], [0.01] * 3, rtol=1e-6)

    assert sorted(entry.path for entry in client.list_artifacts(tracker.run_id)) == ["genc.h5", "kws", "plots"]
    assert [entry.path for entry in client.list_artifacts(tracker.run_id, "plots")] == ["plots/prediction_accuracy.png"]
    assert [entry.path for entry in client.list_artifacts(tracker.run_id, "kws")] == ["kws/results.md"]
    local = client.download_artifacts(tracker.run_id, "genc.h5", str(tmp_path))
    assert open(local, "rb").read() == (outputs / "genc.h5").read_bytes()
    assert (outputs / "mlruns" / "artifacts").is_dir()


def test_runs_share_the_experiment_and_end_with_their_status(tmp_path):
    uri = resolve_mlflow_uri(None, tmp_path)
    first = MlflowTracker(uri, "kws")
    second = MlflowTracker(uri, "probe-phone", experiment=DEFAULT_EXPERIMENT)
    first.finish("failed")
    second.finish("interrupted")
    client = MlflowClient(tracking_uri=uri)
    assert first.experiment_id == second.experiment_id
    assert client.get_run(first.run_id).info.status == "FAILED"
    assert client.get_run(second.run_id).info.status == "KILLED"
    with pytest.raises(TrackingError, match="got 'done'"):
        first.finish("done")


def test_a_store_that_cannot_be_opened_is_a_one_line_error(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    uri = f"sqlite:///{tmp_path}/file/store/mlflow.db"
    with pytest.raises(TrackingError) as caught:
        MlflowTracker(uri, "pretraining")
    message = str(caught.value)
    assert message.startswith(f"--mlflow {uri}: ") and "\n" not in message


def test_without_mlflow_installed_the_error_names_the_requirements_file(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "mlflow", None)
    with pytest.raises(MissingTrackerPackageError) as caught:
        TrackingOptions(mlflow="").open("pretraining", tmp_path)
    assert str(caught.value) == "--mlflow needs MLflow: pip install -r requirements-mlflow.txt"
    assert isinstance(caught.value, ValueError)
    assert not (tmp_path / "mlruns").exists()
