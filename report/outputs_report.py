"""What a folder of outputs holds, gathered into report sections and written as Markdown and HTML.

Looked for, each section only when its files exist:

* Pretraining (``train.py``): ``metrics.json``, ``config.json``, ``plots/prediction_accuracy.png``,
  ``plots/loss.png``;
* Keyword spotting (``python -m kws_eval``): ``kws/results.json`` and the PNGs beside it;
* Phone and speaker probes and ABX (``python -m probes``): ``probes/<task>/results.json`` and PNGs;
* Feature extraction (``python -m extract``): any folder just inside the outputs folder (``features/``
  in ``make evaluate``) whose ``run.json`` holds an extraction summary;
* Runs: ``run.json`` in any of those folders;
* Tracking: ``logs/`` (TensorBoard) and ``mlruns/mlflow.db`` (MLflow).
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import pathlib

from artefacts.atomic_files import write_text
from artefacts.folder_lock import FolderLock
from librispeech.audio_file import SAMPLE_RATE
from report.html_renderer import render_html
from report.markdown_renderer import render_markdown
from report.report_error import ReportError
from report.report_section import Figure, Heading, Paragraph, ReportSection, Table

REPORT_NAME = "report"
RUN_FOLDERS = {
    "": "pretraining",
    "kws": "keyword spotting",
    "probes/phone": "phone probe",
    "probes/speaker": "speaker probe",
    "probes/abx": "ABX",
}
"""Folders (relative to the outputs folder) whose ``run.json`` is reported, and what ran there."""
EXTRACTION_KEY = "extraction"
"""Where ``python -m extract``'s ``run.json`` keeps its summary, under ``extra``."""

_PRETRAINING_FIGURES = (
    ("plots/prediction_accuracy.png", "Prediction accuracy per epoch (validation) for k = 1, 2, 5, 10 steps ahead"),
    ("plots/loss.png", "Training and validation loss per epoch"),
)
_RESULT_COLUMNS = (
    ("train_acc", "train accuracy"),
    ("val_acc", "validation accuracy"),
    ("test_acc", "test accuracy"),
    ("paper_test_acc", "paper's test accuracy"),
    ("within_error", "ABX error within speakers"),
    ("across_error", "ABX error across speakers"),
)
_FIGURE_CAPTIONS = {
    "accuracy.png": "Accuracy per row",
    "training_curves.png": "Training curves per row",
    "label_budgets.png": "Test accuracy against training clips per word",
    "noise.png": "Test accuracy against the SNR of mixed-in background noise",
    "abx.png": "ABX error per row, within and across speakers",
}
_RECORDED_PACKAGES = ("tensorflow", "keras", "numpy", "mlflow", "azureml-core")


@dataclasses.dataclass
class OutputsReport:
    """The report of one outputs folder.

    Attributes:
        outputs_dir: The folder reported on.
        sections: What it holds, in report order.
        written: When the report was gathered, ISO 8601.
    """

    outputs_dir: pathlib.Path
    sections: list[ReportSection]
    written: str

    @classmethod
    def collect(cls, outputs_dir: pathlib.Path | str) -> OutputsReport:
        """Gathers a section for each kind of result found in ``outputs_dir``.

        Raises:
            ReportError: The folder is missing, holds none of the files looked for, or holds
                one that cannot be read.
        """
        outputs_dir = pathlib.Path(outputs_dir)
        if not outputs_dir.is_dir():
            raise ReportError(f"{outputs_dir}: no such folder")
        extractions = _extractions(outputs_dir)
        candidates = [
            _pretraining_section(outputs_dir),
            _results_section(outputs_dir, "kws", "Keyword spotting"),
            _results_section(outputs_dir, "probes/phone", "Phone probe"),
            _results_section(outputs_dir, "probes/speaker", "Speaker probe"),
            _results_section(outputs_dir, "probes/abx", "ABX"),
            _extraction_section(outputs_dir, extractions),
            _runs_section(outputs_dir, {folder: "feature extraction" for folder in extractions}),
            _tracking_section(outputs_dir),
        ]
        sections = [section for section in candidates if section is not None]
        if not sections:
            raise ReportError(
                f"{outputs_dir}: no outputs to report (looked for metrics.json, plots/, kws/results.json, "
                "probes/phone/results.json, probes/speaker/results.json, probes/abx/results.json, run.json, "
                "*/run.json of python -m extract, logs/, mlruns/)"
            )
        return cls(outputs_dir, sections, datetime.datetime.now().astimezone().isoformat(timespec="seconds"))

    @property
    def title(self) -> str:
        return "CPC results"

    @property
    def subtitle(self) -> str:
        return f"Everything found in `{self.outputs_dir}`, gathered {self.written}."

    def markdown(self) -> str:
        """The report in Markdown, figures linked by their path relative to the outputs folder."""
        return render_markdown(self.title, self.subtitle, self.sections)

    def html(self) -> str:
        """The report as one HTML page, figures embedded."""
        return render_html(self.title, self.subtitle, self.sections, self.outputs_dir)

    def write(self) -> list[pathlib.Path]:
        """Writes ``report.md`` and ``report.html`` into the outputs folder, each under a temporary name first.

        Returns:
            The two paths.
        """
        pages = [
            (self.outputs_dir / f"{REPORT_NAME}{suffix}", text)
            for suffix, text in ((".md", self.markdown()), (".html", self.html()))
        ]
        with FolderLock(self.outputs_dir):
            return [write_text(path, text) for path, text in pages]


def _pretraining_section(outputs_dir: pathlib.Path) -> ReportSection | None:
    blocks = []
    metrics_path = outputs_dir / "metrics.json"
    if metrics_path.is_file():
        metrics = _read_json(metrics_path)
        try:
            blocks += _metrics_blocks(metrics)
        except (KeyError, TypeError, ValueError, AttributeError, ZeroDivisionError) as error:
            raise ReportError(
                f"{metrics_path}: not a train.py metrics file ({type(error).__name__}: {error})"
            ) from None
    blocks += [
        Figure(pathlib.PurePosixPath(name), caption)
        for name, caption in _PRETRAINING_FIGURES
        if _own_file(outputs_dir / name, outputs_dir)
    ]
    config_path = outputs_dir / "config.json"
    if config_path.is_file():
        config = _read_json(config_path)
        if not isinstance(config, dict):
            raise ReportError(f"{config_path}: not a train.py settings file (not a JSON object)")
        # One row per setting of each group (data, model, ..., resolved): "model.encoder".
        settings = {}
        for key, value in config.items():
            if isinstance(value, dict):
                settings.update({f"{key}.{name}": item for name, item in value.items()})
            else:
                settings[key] = value
        blocks += [Heading("Settings (`config.json`)"), _key_value_table(settings, "setting")]
    return ReportSection("Pretraining", blocks) if blocks else None


def _metrics_blocks(metrics: dict) -> list:
    chance = metrics["chance_accuracy"]
    summary = (
        f"{metrics['epochs']} epochs, {metrics['steps']} steps ({metrics['windows']} windows) in "
        f"{metrics['wall_seconds']:.0f} s. Final loss: training {metrics['train_loss']:.3f}, validation "
        f"{metrics['val_loss']:.3f}. Chance accuracy {chance:.3f} (1/{round(1 / chance)})."
    )
    rows = []
    for step, val_accuracy in metrics["val_accuracy_per_step"].items():
        train_accuracy = metrics["train_accuracy_per_step"][step]
        rows.append([str(step), f"{train_accuracy:.3f}", f"{val_accuracy:.3f}", f"{val_accuracy / chance:.1f}x"])
    table = Table(["step k", "train accuracy", "val accuracy", "val / chance"], rows, [True] * 4)
    return [Paragraph(summary), Heading("Prediction accuracy per step (`metrics.json`)"), table]


def _results_section(outputs_dir: pathlib.Path, folder: str, title: str) -> ReportSection | None:
    directory = outputs_dir / folder
    if not directory.is_dir():
        return None
    blocks = []
    results_path = directory / "results.json"
    if results_path.is_file():
        document = _read_json(results_path)
        try:
            blocks += _results_blocks(document)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise ReportError(f"{results_path}: not a results file ({type(error).__name__}: {error})") from None
    tables = [f"`{folder}/{name}`" for name in ("results.md", "results.csv") if (directory / name).is_file()]
    if tables:
        blocks.append(Paragraph(f"Tables: {', '.join(tables)}."))
    blocks += [
        Figure(pathlib.PurePosixPath(folder, path.name), _caption(path.name))
        for path in _figures(directory, outputs_dir)
    ]
    return ReportSection(title, blocks) if blocks else None


def _results_blocks(document: dict) -> list:
    """One table row per result row, with the accuracies any row has."""
    has_rows = isinstance(document, dict) and isinstance(document.get("rows"), (dict, list))
    rows = document["rows"] if has_rows else document
    if isinstance(rows, dict):
        rows = [{"name": name, **row} for name, row in rows.items() if isinstance(row, dict)]
    rows = [row for row in rows if any(key in row for key, _ in _RESULT_COLUMNS)]
    if not rows:
        return [Paragraph("`results.json` holds no rows yet.")]
    columns = [(key, title) for key, title in _RESULT_COLUMNS if any(row.get(key) is not None for row in rows)]
    label = next((key for key in ("representation", "description") if any(key in row for row in rows)), None)
    header = ["row"] + ([label] if label else []) + [title for _, title in columns]
    cells = []
    for row in rows:
        line = [str(row.get("name", ""))] + ([str(row.get(label, ""))] if label else [])
        line += ["" if row.get(key) is None else f"{100 * row[key]:.1f} %" for key, _ in columns]
        cells.append(line)
    blocks = [Table(header, cells, [False] * (len(header) - len(columns)) + [True] * len(columns))]
    if isinstance(document, dict) and document.get("majority_test_acc") is not None:
        blocks.append(
            Paragraph(
                f"Always answering the commonest training class scores "
                f"{100 * document['majority_test_acc']:.1f} % on the test set."
            )
        )
    return blocks


def _extractions(outputs_dir: pathlib.Path) -> dict[str, dict]:
    """The ``run.json`` of each folder just inside ``outputs_dir`` that ``python -m extract`` completed, by folder."""
    found = {}
    for directory in sorted(outputs_dir.iterdir()):
        path = directory / "run.json"
        if directory.name in RUN_FOLDERS or not _own_file(path, outputs_dir):
            continue
        record = _read_json(path)
        extra = record.get("extra") if isinstance(record, dict) else None
        if isinstance(extra, dict) and isinstance(extra.get(EXTRACTION_KEY), dict):
            found[directory.name] = record
    return found


def _extraction_section(outputs_dir: pathlib.Path, extractions: dict[str, dict]) -> ReportSection | None:
    blocks = []
    for folder, record in extractions.items():
        try:
            table = _extraction_table(record)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            path = outputs_dir / folder / "run.json"
            raise ReportError(f"{path}: not an extraction record ({type(error).__name__}: {error})") from None
        blocks += [Heading(f"`{folder}/`"), table]
    return ReportSection("Feature extraction", blocks) if blocks else None


def _extraction_table(record: dict) -> Table:
    summary, settings = record["extra"][EXTRACTION_KEY], record["settings"]
    hop = summary["hop"]
    if settings.get("layers"):
        files = "one `.npz` of every layer's output per audio file (`layers.json`)"
    else:
        files = "one `.npy` per audio file"
    facts = {
        "audio": f"`{settings['audio_dir']}`",
        "model": f"`{settings['model']}`",
        "written": files,
        "features": summary["features"],
        "files": summary["files"],
        "frames": summary["frames"],
        "dim": summary["dim"],
        "hop": f"{hop} samples ({1000 * hop / SAMPLE_RATE:g} ms)",
        "audio length": f"{summary['audio_seconds']:.1f} s",
        "wall time": f"{summary['wall_seconds']:.1f} s",
        "real-time factor": f"{summary['real_time_factor']:.0f}x (audio seconds per wall second)",
    }
    return _key_value_table(facts, "field")


def _runs_section(outputs_dir: pathlib.Path, more_folders: dict[str, str]) -> ReportSection | None:
    """The run records of ``RUN_FOLDERS`` and of ``more_folders`` (folder → what ran there)."""
    blocks = []
    for folder, what in {**RUN_FOLDERS, **more_folders}.items():
        path = outputs_dir / folder / "run.json"
        if not path.is_file():
            continue
        record = _read_json(path)
        if not isinstance(record, dict):
            raise ReportError(f"{path}: not a run record (not a JSON object)")
        heading = Heading(f"{what.capitalize()} (`{pathlib.PurePosixPath(folder, 'run.json')}`)")
        try:
            table = _record_table(record)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise ReportError(f"{path}: not a run record ({type(error).__name__}: {error})") from None
        blocks += [heading, table]
    return ReportSection("Runs", blocks) if blocks else None


def _record_table(record: dict) -> Table:
    facts = {"status": record.get("status")}
    command = record.get("command", {})
    if command.get("argv"):
        facts["command"] = f"`{' '.join(command['argv'])}`"
    facts["started"] = record.get("started")
    facts["finished"] = record.get("finished")
    if record.get("wall_seconds") is not None:
        facts["wall time"] = f"{record['wall_seconds']:.1f} s"
    git = record.get("git", {})
    if git:
        state = {True: "with uncommitted changes", False: "clean"}.get(git.get("dirty"), "state unknown")
        facts["git commit"] = f"{git.get('commit', 'unknown')} ({state})"
    if record.get("python"):
        facts["python"] = record["python"].get("version")
    packages = record.get("packages", {})
    facts["packages"] = ", ".join(f"{name} {packages[name]}" for name in _RECORDED_PACKAGES if packages.get(name))
    if "devices" in record:
        facts["devices"] = (
            ", ".join(
                device.get("name", "?").removeprefix("/physical_device:")
                + (f" ({device['device_name']})" if device.get("device_name") else "")
                for device in record["devices"]
            )
            or "none found"
        )
    if record.get("seeds"):
        facts["seeds"] = ", ".join(f"{name} {value}" for name, value in record["seeds"].items())
    facts["data"] = "; ".join(
        f"`{entry.get('manifest')}` sha256 {str(entry.get('sha256'))[:16]}…" for entry in record.get("data", [])
    )
    error = record.get("extra", {}).get("error")
    if isinstance(error, dict):
        facts["error"] = f"{error.get('type')}: {error.get('message')}"
    return _key_value_table({key: value for key, value in facts.items() if value not in (None, "")}, "field")


def _tracking_section(outputs_dir: pathlib.Path) -> ReportSection | None:
    blocks = []
    if (outputs_dir / "logs").is_dir():
        blocks.append(
            Paragraph(
                f"TensorBoard (scalars per epoch, the prediction-accuracy figure per epoch): "
                f"`tensorboard --logdir {outputs_dir / 'logs'}`"
            )
        )
    database = outputs_dir / "mlruns" / "mlflow.db"
    if database.is_file():
        blocks.append(
            Paragraph(
                f"MLflow (parameters, metrics per epoch, artefacts): "
                f"`mlflow ui --backend-store-uri sqlite:///{database.resolve()}`"
            )
        )
    return ReportSection("Tracking", blocks) if blocks else None


def _figures(directory: pathlib.Path, outputs_dir: pathlib.Path) -> list[pathlib.Path]:
    """The PNGs of a results folder: the summary charts first, then the rest by name."""
    pngs = [path for path in directory.glob("*.png") if not path.name.startswith(".") and _own_file(path, outputs_dir)]
    order = list(_FIGURE_CAPTIONS)
    return sorted(pngs, key=lambda path: (order.index(path.name) if path.name in order else len(order), path.name))


def _own_file(path: pathlib.Path, outputs_dir: pathlib.Path) -> bool:
    """Whether ``path`` is a regular file inside the outputs folder, not a link out of it.

    The HTML report embeds what it links, so a link to ``/etc/...`` must not be followed.
    """
    if path.is_symlink() or not path.is_file():
        return False
    return outputs_dir.resolve() in path.resolve().parents


def _caption(name: str) -> str:
    if name in _FIGURE_CAPTIONS:
        return _FIGURE_CAPTIONS[name]
    stem = name.removesuffix(".png")
    if stem.startswith("confusion_"):
        return f"Test confusion matrix, {stem.removeprefix('confusion_')}"
    return stem.replace("_", " ").capitalize()


def _key_value_table(values: dict, key_title: str) -> Table:
    rows = [[str(key), _text(value)] for key, value in values.items()]
    return Table([key_title, "value"], rows, [False, False])


def _text(value) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _read_json(path: pathlib.Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ReportError(f"{path}: not valid JSON ({error.msg} at line {error.lineno})") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ReportError(f"{path}: cannot be read ({error})") from None
