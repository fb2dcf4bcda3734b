"""The shared tracking flags and the trackers they open."""

import argparse
import sys

import pytest
from mlflow import MlflowClient

from tracking.mlflow_tracker import resolve_mlflow_uri
from tracking.tracker_callback import TrackerCallback
from tracking.tracking_error import MissingTrackerPackageError
from tracking.tracking_options import TrackingOptions, add_tracking_arguments


def _options(*argv):
    parser = argparse.ArgumentParser()
    add_tracking_arguments(parser)
    return TrackingOptions.from_args(parser.parse_args(argv))


def test_flags():
    assert _options() == TrackingOptions(mlflow=None, azureml=False, experiment="cpc-speech")
    assert _options("--mlflow") == TrackingOptions(mlflow="", azureml=False)
    assert _options("--mlflow", "sqlite:///runs.db", "--azureml") == TrackingOptions("sqlite:///runs.db", True)
    assert _options("--azureml", "--mlflow", "--mlflow-experiment", "ablation").experiment == "ablation"
    assert _options("--azureml", "--mlflow").mlflow == ""


def test_no_tracker_asked_for_opens_none_and_every_call_does_nothing(tmp_path):
    trackers = TrackingOptions().open("pretraining", tmp_path, {"lr": 0.1})
    assert not trackers
    trackers.log_metrics({"loss": 1.0}, step=0)
    assert trackers.log_outputs(tmp_path, ["absent.txt"]) == []
    trackers.finish("completed")
    assert list(tmp_path.iterdir()) == []


def test_both_trackers_get_every_call(tmp_path, capsys):
    trackers = TrackingOptions(mlflow="", azureml=True).open("kws", tmp_path, {"epochs": 2})
    trackers.log_metrics({"val_acc": 0.5}, step=0)
    trackers.finish("completed")
    mlflow_tracker, _ = trackers.trackers
    run = MlflowClient(tracking_uri=resolve_mlflow_uri(None, tmp_path)).get_run(mlflow_tracker.run_id)
    assert run.data.params == {"epochs": "2"} and run.data.metrics == {"val_acc": 0.5}
    assert run.info.status == "FINISHED"
    assert "Attempted to log scalar metric val_acc:\n0.5\n" in capsys.readouterr().out


def test_a_tracker_that_cannot_open_closes_those_already_open_as_failed(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "azureml.core", None)
    with pytest.raises(MissingTrackerPackageError, match="^--azureml needs azureml-core"):
        TrackingOptions(mlflow="", azureml=True).open("kws", tmp_path)
    client = MlflowClient(tracking_uri=resolve_mlflow_uri(None, tmp_path))
    runs = client.search_runs([client.get_experiment_by_name("cpc-speech").experiment_id])
    assert [run.info.status for run in runs] == ["FAILED"]


def test_models_trained_in_turn_keep_their_metrics_apart(tmp_path, fit_tiny_model):
    trackers = TrackingOptions(mlflow="").open("kws", tmp_path)
    histories = {
        row: fit_tiny_model([TrackerCallback(trackers, prefix=f"{row}/")], epochs=2) for row in ("mfcc", "cpc")
    }
    trackers.finish("completed")
    (tracker,) = trackers.trackers
    client = MlflowClient(tracking_uri=tracker.tracking_uri)
    assert sorted(client.get_run(tracker.run_id).data.metrics) == sorted(
        f"{row}/{name}" for row in histories for name in [*histories[row], "learning_rate"]
    )
    for row, history in histories.items():
        points = client.get_metric_history(tracker.run_id, f"{row}/val_loss")
        assert [(point.step, point.value) for point in points] == [
            (0, pytest.approx(history["val_loss"][0])),
            (1, pytest.approx(history["val_loss"][1])),
        ]
