"""The files a probe run leaves: results.json, results.md, results.csv and the figures."""

import csv
import io
import pathlib

from artefacts.atomic_files import write_json, write_text
from probes.probe_plots import plot_accuracy, plot_confusion
from probes.probe_results import ProbeResults

_CSV_FIELDS = (
    "row",
    "train_acc",
    "test_acc",
    "paper_test_acc",
    "frozen",
    "feature_dim",
    "frame_ms",
    "pooling",
    "train_examples",
    "test_examples",
    "wall_seconds",
    "description",
)
_EXAMPLES = {"phone": "frames", "speaker": "windows"}


def write_report(results: ProbeResults, directory: pathlib.Path) -> list[pathlib.Path]:
    """Writes every result file into ``directory``, each under a temporary name, then renamed.

    Files: ``results.json`` (every row's accuracies and settings, the shared recipe),
    ``results.md`` (the table and the recipe), ``results.csv`` (a line per row),
    ``accuracy.png`` (bars per row) and, for phones, ``confusion_<row>.png`` per row.

    Returns:
        The paths written.
    """
    directory = pathlib.Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    document = {
        "task": results.task,
        "majority_test_acc": results.majority_test_acc,
        "class_names": results.class_names,
        "recipe": results.recipe,
        "rows": {row.name: row.summary() for row in results.rows},
    }
    written = [
        write_json(directory / "results.json", document),
        write_text(directory / "results.md", results_markdown(results)),
        write_text(directory / "results.csv", rows_csv(results.rows, _CSV_FIELDS)),
    ]
    plot_accuracy(results, directory / "accuracy.png")
    written.append(directory / "accuracy.png")
    for row in results.rows:
        if row.confusion is not None:
            path = directory / f"confusion_{row.name}.png"
            title = f"Phone confusion, {row.name} (test frames, accuracy {row.test_acc:.1%})"
            plot_confusion(row.confusion, results.class_names, title, path)
            written.append(path)
    return written


def results_table(results: ProbeResults) -> str:
    """Markdown table of every row: features, train and test accuracy, the paper's test accuracy."""
    lines = [
        "| row | features | train acc | test acc | paper test acc |",
        "|---|---|---:|---:|---:|",
    ]
    for row in results.rows:
        paper = "" if row.paper_test_acc is None else f"{row.paper_test_acc:.1%}"
        lines.append(f"| {row.name} | {row.description} | {row.train_acc:.1%} | {row.test_acc:.1%} | {paper} |")
    return "\n".join(lines)


def results_markdown(results: ProbeResults) -> str:
    """``results.md``: a title, the table, the majority baseline and the recipe."""
    recipe = results.recipe
    examples = _EXAMPLES[results.task]
    lines = [
        f"# Linear {results.task} probe",
        "",
        results_table(results),
        "",
        f"{recipe['classes']} classes; always answering the commonest training class scores "
        f"{results.majority_test_acc:.1%} on the test {examples}. Paper: van den Oord et al. (2018), Table 1, "
        "LibriSpeech train-clean-100 with 41 phone classes and 251 speakers.",
    ]
    lines += ["", "## Recipe", ""]
    lines += [f"- `{key}`: {value}" for key, value in recipe.items()]
    return "\n".join(lines) + "\n"


def rows_csv(rows, fields: tuple[str, ...]) -> str:
    """results.csv of a probe: a header of `fields`, then one line per row's `summary()` (its
    `name` as `row`, a missing value as an empty cell)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        summary = row.summary()
        summary["row"] = summary.pop("name")
        writer.writerow({field: "" if summary[field] is None else summary[field] for field in fields})
    return buffer.getvalue()
