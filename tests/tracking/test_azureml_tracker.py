"""Azure ML through azureml-core's offline run, which prints what it is asked to log."""

import sys

import pytest

from pretraining.training_plots import plot_loss
from tracking.azureml_tracker import AzureMLTracker
from tracking.tracker_callback import TrackerCallback
from tracking.tracking_error import MissingTrackerPackageError


def test_outside_azure_ml_the_offline_run_prints_tags_metrics_and_files(tmp_path, capsys):
    tracker = AzureMLTracker(tags={"git_commit": "abc123"})
    assert tracker.offline
    tracker.log_params({"lr": 0.001, "resolved": {"hop": 256}})
    tracker.log_metrics({"val_loss": 2.5, "val_accuracy_1": 0.75}, step=3)
    plot_loss({"loss": [3.0, 2.0]}, tmp_path / "loss.png")
    tracker.log_artifact(tmp_path / "loss.png", "plots")
    (tmp_path / "metrics.json").write_text("{}")
    tracker.log_artifact(tmp_path / "metrics.json")
    tracker.finish("completed")
    printed = capsys.readouterr().out
    assert "Attempted to set tags {'git_commit': 'abc123'}" in printed
    assert "Attempted to set tags {'lr': '0.001', 'resolved.hop': '256'}" in printed
    assert "Attempted to log scalar metric val_loss:\n2.5\n" in printed
    assert "Attempted to log scalar metric val_accuracy_1:\n0.75\n" in printed
    assert f"Attempted to log image metric plots/loss.png:\n{tmp_path / 'loss.png'}\n" in printed
    assert f"Attempted to track file plots/loss.png at {tmp_path / 'loss.png'}" in printed
    assert f"Attempted to track file metrics.json at {tmp_path / 'metrics.json'}" in printed


def test_every_epoch_of_a_fit_is_logged(fit_tiny_model, capsys):
    history = fit_tiny_model([TrackerCallback(AzureMLTracker())], epochs=2)
    printed = capsys.readouterr().out
    for loss in history["val_loss"]:
        assert f"Attempted to log scalar metric val_loss:\n{loss}\n" in printed
    assert printed.count("Attempted to log scalar metric learning_rate:\n") == 2


def test_without_azureml_core_the_error_names_the_requirements_file(monkeypatch):
    monkeypatch.setitem(sys.modules, "azureml.core", None)
    with pytest.raises(MissingTrackerPackageError) as caught:
        AzureMLTracker()
    assert str(caught.value) == "--azureml needs azureml-core: pip install -r requirements-azureml.txt"
