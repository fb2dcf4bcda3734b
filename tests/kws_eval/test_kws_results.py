"""Tests of the summaries over seeds, the results files and figures, from known runs."""

import csv
import json
import math

import numpy as np
import pytest

from kws_eval.kws_plots import plot_accuracy, plot_confusion, plot_label_budgets, plot_noise, plot_training_curves
from kws_eval.kws_results import budget_table, noise_table, results_table, write_results
from kws_eval.kws_row import ROWS
from kws_eval.row_result import RowResult
from kws_eval.row_summary import binomial_half_width, summarise

RECIPE = {"recipe": "default", "classifier": "temporal", "epochs": 2, "batch_size": 8, "seeds": [0, 1]}
DATA = {
    "speech_commands_dir": "sc",
    "words": ["yes", "no"],
    "split_source": "lists",
    "clips": {"training": 10, "validation": 4, "testing": 4},
    "clip_samples": 16000,
}


def _result(name, seed, train_acc, val_acc, test_acc, budget=None, noisy=None):
    return RowResult(
        row=ROWS[name],
        seed=seed,
        classifier="linear" if ROWS[name].head == "linear" else "temporal",
        train_per_word=budget,
        train_clips=10 if budget is None else 2 * budget,
        train_acc=train_acc,
        val_acc=val_acc,
        test_acc=test_acc,
        noisy_test_acc=noisy or {},
        confusion=np.array([[2, 0], [1, 1]]),
        history={"loss": [0.9, 0.5], "accuracy": [0.5, 0.8], "val_loss": [0.8, 0.6], "val_accuracy": [0.5, 0.75]},
        frames=61,
        features=40,
        hop=256,
        receptive_field=512,
        trainable_params=1234,
        total_params=1300,
        steps=20,
        wall_seconds=12.5,
    )


@pytest.fixture
def results():
    return [
        _result("logmel", 0, 1.0, 0.75, 0.75, noisy={10.0: 0.5, 0.0: 0.25}),
        _result("cpc_ft", 0, 1.0, 0.5, 0.5, noisy={10.0: 0.5, 0.0: 0.5}),
        _result("logmel", 0, 0.5, 0.5, 0.25, budget=1),
        _result("cpc_ft", 0, 1.0, 0.75, 0.5, budget=1),
        _result("logmel", 1, 1.0, 0.75, 1.0, noisy={10.0: 0.75, 0.0: 0.25}),
        _result("cpc_ft", 1, 0.9, 0.75, 0.75, noisy={10.0: 0.5, 0.0: 0.25}),
        _result("logmel", 1, 0.5, 0.25, 0.75, budget=1),
        _result("cpc_ft", 1, 1.0, 0.5, 0.5, budget=1),
    ]


def test_binomial_half_width():
    assert binomial_half_width(0.5, 100) == pytest.approx(1.959964 * 0.05)
    assert binomial_half_width(0.9, 180) == pytest.approx(0.04383, abs=1e-5)
    assert binomial_half_width(1.0, 90) == 0.0


def test_summaries_group_runs_by_row_and_budget(results):
    summaries = summarise(results)
    assert [
        (summary.row.name, summary.train_per_word, [run.seed for run in summary.runs]) for summary in summaries
    ] == [
        ("logmel", None, [0, 1]),
        ("cpc_ft", None, [0, 1]),
        ("logmel", 1, [0, 1]),
        ("cpc_ft", 1, [0, 1]),
    ]
    logmel = summaries[0]
    assert logmel.mean("test_acc") == 0.875
    assert logmel.std("test_acc") == pytest.approx(math.sqrt(0.03125))  # sample std of 0.75 and 1.0
    assert logmel.noisy_mean(10.0) == 0.625 and logmel.noisy_std(0.0) == 0.0
    assert logmel.test_half_width(4) == pytest.approx(binomial_half_width(0.875, 4))


def test_tables_show_mean_and_std_over_seeds(results):
    assert results_table(results, test_clips=4).splitlines() == [
        "| Representation | Train Accuracy | Validation Accuracy | Test Accuracy | ± one run (95 %) |",
        "|---|---:|---:|---:|---:|",
        "| Log-mel spectrogram | 100.0 ± 0.0 % | 75.0 ± 0.0 % | 87.5 ± 17.7 % | 32.4 |",
        "| CPC encoder (trained with the classifier) | 95.0 ± 7.1 % | 62.5 ± 17.7 % | 62.5 ± 17.7 % | 47.4 |",
    ]
    assert budget_table(results).splitlines() == [
        "| Representation | 1 per word | all clips |",
        "|---|---:|---:|",
        "| Log-mel spectrogram | 50.0 ± 35.4 % | 87.5 ± 17.7 % |",
        "| CPC encoder (trained with the classifier) | 50.0 ± 0.0 % | 62.5 ± 17.7 % |",
    ]
    assert noise_table(results).splitlines() == [
        "| Representation | clean | 10 dB | 0 dB |",
        "|---|---:|---:|---:|",
        "| Log-mel spectrogram | 87.5 ± 17.7 % | 62.5 ± 17.7 % | 25.0 ± 0.0 % |",
        "| CPC encoder (trained with the classifier) | 62.5 ± 17.7 % | 50.0 ± 0.0 % | 37.5 ± 17.7 % |",
    ]


def test_one_seed_shows_plain_accuracies_and_single_budget_or_no_noise_gives_no_extra_table():
    runs = [_result("cpc", 0, 0.99, 0.952, 0.75)]
    assert results_table(runs, 4).splitlines()[-1] == "| CPC encoder (frozen) | 99.0 % | 95.2 % | 75.0 % | 42.4 |"
    assert budget_table(runs) is None and noise_table(runs) is None


def test_files_hold_rows_budgets_noise_and_every_run(results, tmp_path):
    write_results(tmp_path, results, RECIPE, DATA)
    document = json.loads((tmp_path / "results.json").read_text())
    assert list(document) == ["rows", "label_budgets", "noise", "runs", "recipe", "data"]
    assert list(document["rows"]) == ["logmel", "cpc_ft"]
    logmel = document["rows"]["logmel"]
    assert (logmel["train_acc"], logmel["val_acc"], logmel["test_acc"], logmel["seeds"]) == (1.0, 0.75, 0.875, [0, 1])
    assert logmel["test_acc_half_width_95"] == pytest.approx(binomial_half_width(0.875, 4))
    assert logmel["model"] == "logmel.keras" and logmel["head"] == "cnn"
    assert document["rows"]["cpc_ft"]["front_end"] == {
        "kind": "cpc",
        "trainable": True,
        "frames": 61,
        "features": 40,
        "hop": 256,
        "receptive_field": 512,
    }
    assert document["label_budgets"]["logmel"]["1"]["test_acc"] == 0.5
    assert document["label_budgets"]["logmel"]["1"]["train_clips"] == 2
    assert document["label_budgets"]["cpc_ft"]["all"]["test_acc"] == 0.625
    assert document["noise"]["cpc_ft"] == {
        "10": {"test_acc": 0.5, "test_acc_std": 0.0},
        "0": {"test_acc": 0.375, "test_acc_std": pytest.approx(0.1767767)},
    }
    assert len(document["runs"]) == 8
    assert document["runs"][2]["train_per_word"] == 1 and document["runs"][0]["test_confusion"] == [[2, 0], [1, 1]]
    assert document["recipe"] == RECIPE and document["data"] == DATA
    markdown = (tmp_path / "results.md").read_text()
    assert markdown.startswith(
        "Keyword spotting on sc: 2 words, 10 training, 4 validation and 4 test clips (splits from the list files); "
        "recipe default: temporal CNN, 2 epochs, batch 8, seeds 0, 1."
    )
    for table in (results_table(results, 4), budget_table(results), noise_table(results)):
        assert table in markdown
    with (tmp_path / "results.csv").open() as file:
        lines = list(csv.DictReader(file))
    assert len(lines) == 8
    assert (lines[0]["row"], lines[0]["seed"], lines[0]["train_per_word"], lines[0]["test_acc_snr10"]) == (
        "logmel",
        "0",
        "",
        "0.500000",
    )
    assert (lines[2]["train_per_word"], lines[2]["test_acc_snr0"]) == ("1", "")
    assert not list(tmp_path.glob(".*"))


def test_figures_are_pngs(results, tmp_path):
    summaries = summarise(results)
    full = [summary for summary in summaries if summary.train_per_word is None]
    plot_accuracy(full, 0.5, tmp_path / "accuracy.png")
    plot_confusion(results[0], ("yes", "no"), tmp_path / "confusion_logmel.png")
    plot_training_curves(results[:2], tmp_path / "training_curves.png")
    plot_label_budgets(summaries, 0.5, tmp_path / "label_budgets.png")
    plot_noise(full, 0.5, tmp_path / "noise.png")
    for name in ("accuracy.png", "confusion_logmel.png", "training_curves.png", "label_budgets.png", "noise.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list(tmp_path.glob(".*"))
