"""Outputs folders holding any subset of what train.py, kws_eval, probes, extract and the trackers write."""

import json
import pathlib

import pytest
from matplotlib.figure import Figure

from extract.extraction_summary import ExtractionSummary
from pretraining.training_plots import plot_loss, plot_prediction_accuracy
from tracking.run_record import RunRecord

PARTS = ("pretraining", "figures", "kws", "phone", "speaker", "abx", "extraction", "runs", "logs", "mlflow")
METRICS = {
    "train_loss": 1.9,
    "val_loss": 2.05,
    "train_accuracy_per_step": {"1": 0.61, "2": 0.42},
    "val_accuracy_per_step": {"1": 0.58, "2": 0.4},
    "chance_accuracy": 1 / 11,
    "epochs": 4,
    "steps": 200,
    "windows": 6400,
    "wall_seconds": 61.2,
}
KWS_RESULTS = {
    "rows": {
        "cpc_frozen": {
            "representation": "CPC (frozen)",
            "train_acc": 0.91,
            "val_acc": 0.874,
            "test_acc": 0.8625,
            "test_acc_std": 0.01,
            "seeds": [0, 1],
        },
        "mfcc": {
            "representation": "MFCC",
            "train_acc": 0.95,
            "val_acc": 0.9,
            "test_acc": 0.889,
            "test_acc_std": 0.02,
            "seeds": [0, 1],
        },
    },
    "label_budgets": {"cpc_frozen": {"1": {"test_acc": 0.3}, "all": {"test_acc": 0.8625}}},
    "runs": [],
}
ABX_RESULTS = {
    "task": "abx",
    "recipe": {"items": 40},
    "rows": {
        "cpc_c": {"name": "cpc_c", "description": "c_t of gar.keras", "within_error": 0.081, "across_error": 0.124},
        "mfcc": {"name": "mfcc", "description": "13 MFCCs", "within_error": 0.1, "across_error": None},
    },
}
PROBE_RESULTS = {
    "phone": {
        "task": "phone",
        "majority_test_acc": 0.125,
        "class_names": ["a", "b"],
        "recipe": {"classes": 2},
        "rows": {
            "cpc": {
                "name": "cpc",
                "description": "c_t of gar.keras",
                "train_acc": 0.66,
                "test_acc": 0.642,
                "paper_test_acc": 0.646,
            },
            "mfcc": {
                "name": "mfcc",
                "description": "13 MFCCs",
                "train_acc": 0.4,
                "test_acc": 0.39,
                "paper_test_acc": None,
            },
        },
    },
    "speaker": {
        "task": "speaker",
        "majority_test_acc": 0.05,
        "class_names": ["19", "26"],
        "recipe": {"classes": 2},
        "rows": {
            "cpc": {
                "name": "cpc",
                "description": "mean c_t",
                "train_acc": 1.0,
                "test_acc": 0.971,
                "paper_test_acc": 0.974,
            }
        },
    },
}
EXTRACTION_SETTINGS = {
    "audio_dir": "data/demo/LibriSpeech/dev-clean",
    "model": "outputs/gar.keras",
    "features": None,
    "batch_size": 16,
    "max_batch_seconds": 120.0,
    "extensions": ["flac", "wav"],
    "show_progress": False,
    "layers": False,
}
"""What ``python -m extract`` records as its settings, less ``output_dir``."""
EXTRACTION = {
    "files": 32,
    "frames": 7436,
    "features": "c",
    "dim": 40,
    "hop": 256,
    "audio_seconds": 118.97,
    "wall_seconds": 2.41,
}


def _chart(path: pathlib.Path, title: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure = Figure(figsize=(2, 1.5))
    axes = figure.subplots()
    axes.bar([0, 1], [0.5, 0.8])
    axes.set_title(title)
    figure.savefig(path, dpi=40)


def _write_json(path: pathlib.Path, content) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content))


def build_outputs(root: pathlib.Path, parts=PARTS) -> pathlib.Path:
    """Writes the files of each of ``parts`` into ``root``, as the commands that make them would."""
    root.mkdir(parents=True, exist_ok=True)
    if "pretraining" in parts:
        _write_json(root / "metrics.json", METRICS)
        _write_json(
            root / "config.json",
            {
                "model": {"encoder": "seed"},
                "optimisation": {"epochs": 4, "lr": 0.001},
                "resolved": {"hop": 256, "receptive_field": 512},
            },
        )
    if "figures" in parts:
        history = {
            "loss": [2.3, 2.1],
            "val_loss": [2.3, 2.05],
            "val_accuracy_1": [0.3, 0.58],
            "val_accuracy_2": [0.2, 0.4],
        }
        plot_prediction_accuracy(history, 2, 1 / 11, root / "plots" / "prediction_accuracy.png")
        plot_loss(history, root / "plots" / "loss.png")
    if "kws" in parts:
        _write_json(root / "kws" / "results.json", KWS_RESULTS)
        (root / "kws" / "results.md").write_text("| Representation |\n")
        (root / "kws" / "results.csv").write_text("row\n")
        for name in ("accuracy", "training_curves", "confusion_cpc_frozen", "confusion_mfcc"):
            _chart(root / "kws" / f"{name}.png", name)
    for task in ("phone", "speaker"):
        if task in parts:
            _write_json(root / "probes" / task / "results.json", PROBE_RESULTS[task])
            (root / "probes" / task / "results.md").write_text("# probe\n")
            _chart(root / "probes" / task / "accuracy.png", task)
            if task == "phone":
                _chart(root / "probes" / task / "confusion_cpc.png", "confusion")
    if "abx" in parts:
        _write_json(root / "probes" / "abx" / "results.json", ABX_RESULTS)
        _chart(root / "probes" / "abx" / "abx.png", "abx")
    if "extraction" in parts:
        record = RunRecord.start(
            root / "features",
            {**EXTRACTION_SETTINGS, "output_dir": root / "features"},
            argv=["python -m extract", "dev-clean", "features"],
        )
        record.finish("completed", {"extraction": ExtractionSummary(root / "features", **EXTRACTION).record()})
    if "runs" in parts:
        folders = [("", "pretraining")] * ("pretraining" in parts) + [("kws", "kws")] * ("kws" in parts)
        folders += [(f"probes/{task}", task) for task in ("phone", "speaker") if task in parts]
        manifest = root.parent / f"{root.name}-tfrecords" / "dev-clean" / "manifest.json"
        manifest.parent.mkdir(parents=True)
        manifest.write_text('{"split": "dev-clean"}\n')
        for folder, name in folders or [("", "pretraining")]:
            record = RunRecord.start(
                root / folder,
                {"name": name},
                manifests=[manifest],
                seeds={"seed": 3},
                argv=[f"{name}.py", "--seed", "3"],
            )
            record.finish("completed")
    if "logs" in parts:
        (root / "logs" / "train").mkdir(parents=True)
    if "mlflow" in parts:
        (root / "mlruns").mkdir()
        (root / "mlruns" / "mlflow.db").write_bytes(b"SQLite format 3\x00")
    return root


@pytest.fixture
def outputs_factory(tmp_path):
    """``outputs_factory(*parts)`` builds a fresh outputs folder holding those parts."""
    counter = iter(range(1000))

    def build(*parts):
        return build_outputs(tmp_path / f"outputs{next(counter)}", parts or PARTS)

    return build
