"""The results files of a keyword-spotting comparison: JSON, Markdown and CSV."""

import csv
import io
import json
import os
from pathlib import Path

from kws_eval.row_result import RowResult

CSV_COLUMNS = ("row", "representation", "train_acc", "val_acc", "test_acc", "trainable_params", "wall_seconds")
"""Columns of results.csv; accuracies are fractions."""

_SPLIT_SOURCES = {"lists": "the list files", "hashing": "the dataset's hashing rule"}


def results_table(results: list[RowResult]) -> str:
    """The table in the reference's form, accuracies in percent, as Markdown."""
    lines = ["| Representation | Train Accuracy | Validation Accuracy | Test Accuracy |", "|---|---:|---:|---:|"]
    for result in results:
        lines.append(
            f"| {result.row.representation} | {100 * result.train_acc:.1f} % | "
            f"{100 * result.val_acc:.1f} % | {100 * result.test_acc:.1f} % |"
        )
    return "\n".join(lines)


def write_results(output_dir: Path, results: list[RowResult], recipe: dict, data: dict) -> None:
    """Writes results.json, results.md and results.csv, each under a temporary name first.

    Args:
        output_dir: The folder to write into.
        results: The rows trained so far, in table order.
        recipe: The shared training settings, stored with every row.
        data: What was classified (folder, words, split source, clip counts).
    """
    rows = {result.row.name: _row_record(result, recipe, data) for result in results}
    _write_text(output_dir / "results.json", json.dumps(rows, indent=2) + "\n")
    words = data["words"]
    summary = (
        f"Keyword spotting on {data['speech_commands_dir']}: {len(words)} words, "
        f"{data['clips']['training']} training, {data['clips']['validation']} validation "
        f"and {data['clips']['testing']} test clips (splits from {_SPLIT_SOURCES[data['split_source']]}); "
        f"{recipe['epochs']} epochs, batch {recipe['batch_size']}, seed {recipe['seed']}."
    )
    _write_text(output_dir / "results.md", f"{summary}\n\n{results_table(results)}\n")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for result in results:
        writer.writerow(
            [
                result.row.name,
                result.row.representation,
                f"{result.train_acc:.6f}",
                f"{result.val_acc:.6f}",
                f"{result.test_acc:.6f}",
                result.trainable_params,
                f"{result.wall_seconds:.1f}",
            ]
        )
    _write_text(output_dir / "results.csv", buffer.getvalue())


def _row_record(result: RowResult, recipe: dict, data: dict) -> dict:
    row = result.row
    return {
        "representation": row.representation,
        "train_acc": result.train_acc,
        "val_acc": result.val_acc,
        "test_acc": result.test_acc,
        "front_end": {
            "kind": row.front_end,
            "trainable": row.trainable,
            "frames": result.frames,
            "features": result.features,
            "hop": result.hop,
            "receptive_field": result.receptive_field,
        },
        "trainable_params": result.trainable_params,
        "total_params": result.total_params,
        "wall_seconds": result.wall_seconds,
        "model": f"{row.name}.keras",
        "recipe": recipe,
        "data": data,
        "history": result.history,
        "test_confusion": result.confusion.tolist(),
    }


def _write_text(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
