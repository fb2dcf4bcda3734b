"""Tests of the results files and figures, from known row results."""

import csv
import json

import numpy as np
import pytest

from kws_eval.kws_plots import plot_accuracy, plot_confusion, plot_training_curves
from kws_eval.kws_results import results_table, write_results
from kws_eval.kws_row import ROWS
from kws_eval.row_result import RowResult

RECIPE = {"epochs": 2, "batch_size": 8, "seed": 0}
DATA = {
    "speech_commands_dir": "sc",
    "words": ["yes", "no"],
    "split_source": "lists",
    "clips": {"training": 10, "validation": 4, "testing": 4},
    "clip_samples": 16000,
}


def _result(name, train_acc, val_acc, test_acc):
    return RowResult(
        row=ROWS[name],
        train_acc=train_acc,
        val_acc=val_acc,
        test_acc=test_acc,
        confusion=np.array([[2, 0], [1, 1]]),
        history={"loss": [0.9, 0.5], "accuracy": [0.5, 0.8], "val_loss": [0.8, 0.6], "val_accuracy": [0.5, 0.75]},
        frames=61,
        features=40,
        hop=256,
        receptive_field=512,
        trainable_params=1234,
        total_params=1300,
        wall_seconds=12.5,
    )


@pytest.fixture
def results():
    return [_result("logmel", 0.99, 0.952, 0.75), _result("cpc_ft", 0.988, 0.934, 0.5)]


def test_table_has_the_reference_form(results):
    assert results_table(results).splitlines() == [
        "| Representation | Train Accuracy | Validation Accuracy | Test Accuracy |",
        "|---|---:|---:|---:|",
        "| Log-mel spectrogram | 99.0 % | 95.2 % | 75.0 % |",
        "| CPC encoder (trained with the classifier) | 98.8 % | 93.4 % | 50.0 % |",
    ]


def test_files_hold_every_row(results, tmp_path):
    write_results(tmp_path, results, RECIPE, DATA)
    rows = json.loads((tmp_path / "results.json").read_text())
    assert list(rows) == ["logmel", "cpc_ft"]
    assert {key: rows["logmel"][key] for key in ("train_acc", "val_acc", "test_acc")} == {
        "train_acc": 0.99,
        "val_acc": 0.952,
        "test_acc": 0.75,
    }
    assert rows["cpc_ft"]["recipe"] == RECIPE and rows["cpc_ft"]["data"] == DATA
    assert rows["cpc_ft"]["front_end"] == {
        "kind": "cpc",
        "trainable": True,
        "frames": 61,
        "features": 40,
        "hop": 256,
        "receptive_field": 512,
    }
    assert rows["cpc_ft"]["test_confusion"] == [[2, 0], [1, 1]]
    assert rows["logmel"]["model"] == "logmel.keras"
    markdown = (tmp_path / "results.md").read_text()
    assert markdown.startswith("Keyword spotting on sc: 2 words, 10 training, 4 validation and 4 test clips")
    assert markdown.endswith(results_table(results) + "\n")
    with (tmp_path / "results.csv").open() as file:
        table = list(csv.DictReader(file))
    assert [(row["row"], float(row["val_acc"])) for row in table] == [("logmel", 0.952), ("cpc_ft", 0.934)]
    assert not list(tmp_path.glob(".*"))


def test_figures_are_pngs(results, tmp_path):
    plot_accuracy(results, 0.5, tmp_path / "accuracy.png")
    plot_confusion(results[0], ("yes", "no"), tmp_path / "confusion_logmel.png")
    plot_training_curves(results, tmp_path / "training_curves.png")
    for name in ("accuracy.png", "confusion_logmel.png", "training_curves.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list(tmp_path.glob(".*"))
