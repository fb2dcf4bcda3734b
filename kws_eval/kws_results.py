"""The results files of a keyword-spotting comparison: JSON, Markdown and CSV."""

import csv
import io
from pathlib import Path

from artefacts.atomic_files import write_json, write_text
from kws_eval.row_result import RowResult
from kws_eval.row_summary import RowSummary, summarise

CSV_COLUMNS = (
    "row",
    "representation",
    "seed",
    "train_per_word",
    "train_clips",
    "train_acc",
    "val_acc",
    "test_acc",
    "trainable_params",
    "steps",
    "wall_seconds",
)
"""Columns of results.csv before the noisy test accuracies (`test_acc_snr<dB>`); one line per
run, accuracies as fractions, `train_per_word` empty for every training clip."""

_SPLIT_SOURCES = {"lists": "the list files", "hashing": "the dataset's hashing rule"}
_CLASSIFIER_NAMES = {
    "auto": "image CNN for log-mel, temporal CNN for the encoders",
    "temporal": "temporal CNN",
    "image": "image CNN",
}


def _percent(mean: float, std: float, seeds: int) -> str:
    return f"{100 * mean:.1f} ± {100 * std:.1f} %" if seeds > 1 else f"{100 * mean:.1f} %"


def _budget_name(budget: int | None) -> str:
    return "all" if budget is None else str(budget)


def full_data(summaries: list[RowSummary]) -> list[RowSummary]:
    """The summaries of the rows trained on every training clip, in table order."""
    return [summary for summary in summaries if summary.train_per_word is None]


def results_table(results: list[RowResult], test_clips: int) -> str:
    """The table in the reference's form, with every training clip, as Markdown.

    With several seeds every accuracy is the mean ± the standard deviation over seeds. The
    last column is the 95 % binomial half-width of one run's test accuracy: the spread the
    size of the test split alone allows.
    """
    lines = [
        "| Representation | Train Accuracy | Validation Accuracy | Test Accuracy | ± one run (95 %) |",
        "|---|---:|---:|---:|---:|",
    ]
    for summary in full_data(summarise(results)):
        seeds = len(summary.runs)
        cells = [_percent(summary.mean(key), summary.std(key), seeds) for key in ("train_acc", "val_acc", "test_acc")]
        lines.append(
            f"| {summary.row.representation} | {' | '.join(cells)} | {100 * summary.test_half_width(test_clips):.1f} |"
        )
    return "\n".join(lines)


def budget_table(results: list[RowResult]) -> str | None:
    """Test accuracy by row and label budget, as Markdown; None with a single budget."""
    summaries = summarise(results)
    budgets = list(dict.fromkeys(summary.train_per_word for summary in summaries))
    if len(budgets) < 2:
        return None
    budgets.sort(key=lambda budget: float("inf") if budget is None else budget)
    by_row: dict[str, dict] = {}
    for summary in summaries:
        by_row.setdefault(summary.row.name, {"row": summary.row})[summary.train_per_word] = summary
    header = (
        "| Representation | "
        + " | ".join("all clips" if budget is None else f"{budget} per word" for budget in budgets)
        + " |"
    )
    lines = [header, "|---|" + "---:|" * len(budgets)]
    for entry in by_row.values():
        cells = [
            _percent(entry[budget].mean("test_acc"), entry[budget].std("test_acc"), len(entry[budget].runs))
            if budget in entry
            else "–"
            for budget in budgets
        ]
        lines.append(f"| {entry['row'].representation} | {' | '.join(cells)} |")
    return "\n".join(lines)


def noise_table(results: list[RowResult]) -> str | None:
    """Test accuracy by row, clean and at every SNR, with every training clip; None without SNRs."""
    summaries = full_data(summarise(results))
    snrs = sorted(summaries[0].runs[0].noisy_test_acc, reverse=True) if summaries else []
    if not snrs:
        return None
    lines = [
        "| Representation | clean | " + " | ".join(f"{snr:g} dB" for snr in snrs) + " |",
        "|---|---:|" + "---:|" * len(snrs),
    ]
    for summary in summaries:
        seeds = len(summary.runs)
        cells = [_percent(summary.mean("test_acc"), summary.std("test_acc"), seeds)]
        cells += [_percent(summary.noisy_mean(snr), summary.noisy_std(snr), seeds) for snr in snrs]
        lines.append(f"| {summary.row.representation} | {' | '.join(cells)} |")
    return "\n".join(lines)


def write_results(output_dir: Path, results: list[RowResult], recipe: dict, data: dict) -> None:
    """Writes results.json, results.md and results.csv, each under a temporary name first.

    results.json holds `rows` (each row with every training clip: accuracies as means over
    seeds, their spreads, the front end, the saved model), `label_budgets` and `noise` (per
    row), `runs` (every run with its curves and test confusion), `recipe` and `data`.

    Args:
        output_dir: The folder to write into.
        results: The runs so far, in the order they ran.
        recipe: The shared training settings.
        data: What was classified (folder, words, split source, clip counts).
    """
    test_clips = data["clips"]["testing"]
    summaries = summarise(results)
    document = {
        "rows": {summary.row.name: _row_record(summary, test_clips) for summary in full_data(summaries)},
        "label_budgets": _budget_records(summaries),
        "noise": _noise_records(full_data(summaries)),
        "runs": [_run_record(result) for result in results],
        "recipe": recipe,
        "data": data,
    }
    write_json(output_dir / "results.json", document)
    write_text(output_dir / "results.md", results_markdown(results, recipe, data))
    write_text(output_dir / "results.csv", _csv(results))


def results_markdown(results: list[RowResult], recipe: dict, data: dict) -> str:
    """results.md: what was run, the main table, then the label-budget and noise tables if any."""
    words = data["words"]
    seeds = recipe["seeds"]
    summary = (
        f"Keyword spotting on {data['speech_commands_dir']}: {len(words)} words, "
        f"{data['clips']['training']} training, {data['clips']['validation']} validation "
        f"and {data['clips']['testing']} test clips (splits from {_SPLIT_SOURCES[data['split_source']]}); "
        f"recipe {recipe['recipe']}: {_CLASSIFIER_NAMES[recipe['classifier']]}, {recipe['epochs']} epochs, "
        f"batch {recipe['batch_size']}, seed{'s' if len(seeds) > 1 else ''} {', '.join(map(str, seeds))}."
    )
    parts = [summary, results_table(results, data["clips"]["testing"])]
    budgets = budget_table(results)
    if budgets:
        parts += ["Test accuracy by training clips per word:", budgets]
    noise = noise_table(results)
    if noise:
        parts += ["Test accuracy with background noise mixed in at each SNR (every training clip):", noise]
    return "\n\n".join(parts) + "\n"


def _row_record(summary: RowSummary, test_clips: int) -> dict:
    row, first = summary.row, summary.runs[0]
    return {
        "representation": row.representation,
        "train_acc": summary.mean("train_acc"),
        "val_acc": summary.mean("val_acc"),
        "test_acc": summary.mean("test_acc"),
        "train_acc_std": summary.std("train_acc"),
        "val_acc_std": summary.std("val_acc"),
        "test_acc_std": summary.std("test_acc"),
        "test_acc_half_width_95": summary.test_half_width(test_clips),
        "seeds": [run.seed for run in summary.runs],
        "head": row.head,
        "classifier": first.classifier,
        "front_end": {
            "kind": row.front_end,
            "trainable": row.trainable,
            "frames": first.frames,
            "features": first.features,
            "hop": first.hop,
            "receptive_field": first.receptive_field,
        },
        "trainable_params": first.trainable_params,
        "total_params": first.total_params,
        "model": f"{row.name}.keras",
    }


def _budget_records(summaries: list[RowSummary]) -> dict:
    records: dict[str, dict] = {}
    for summary in summaries:
        records.setdefault(summary.row.name, {})[_budget_name(summary.train_per_word)] = {
            "train_clips": summary.runs[0].train_clips,
            "test_acc": summary.mean("test_acc"),
            "test_acc_std": summary.std("test_acc"),
            "val_acc": summary.mean("val_acc"),
            "train_acc": summary.mean("train_acc"),
        }
    return records


def _noise_records(summaries: list[RowSummary]) -> dict:
    return {
        summary.row.name: {
            f"{snr:g}": {"test_acc": summary.noisy_mean(snr), "test_acc_std": summary.noisy_std(snr)}
            for snr in sorted(summary.runs[0].noisy_test_acc, reverse=True)
        }
        for summary in summaries
        if summary.runs[0].noisy_test_acc
    }


def _run_record(result: RowResult) -> dict:
    return {
        "row": result.row.name,
        "seed": result.seed,
        "classifier": result.classifier,
        "train_per_word": result.train_per_word,
        "train_clips": result.train_clips,
        "train_acc": result.train_acc,
        "val_acc": result.val_acc,
        "test_acc": result.test_acc,
        "noisy_test_acc": {f"{snr:g}": accuracy for snr, accuracy in result.noisy_test_acc.items()},
        "steps": result.steps,
        "trainable_params": result.trainable_params,
        "wall_seconds": result.wall_seconds,
        "history": result.history,
        "test_confusion": result.confusion.tolist(),
    }


def _csv(results: list[RowResult]) -> str:
    snrs = sorted({snr for result in results for snr in result.noisy_test_acc}, reverse=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*CSV_COLUMNS, *(f"test_acc_snr{snr:g}" for snr in snrs)])
    for result in results:
        writer.writerow(
            [
                result.row.name,
                result.row.representation,
                result.seed,
                "" if result.train_per_word is None else result.train_per_word,
                result.train_clips,
                f"{result.train_acc:.6f}",
                f"{result.val_acc:.6f}",
                f"{result.test_acc:.6f}",
                result.trainable_params,
                result.steps,
                f"{result.wall_seconds:.1f}",
                *(f"{result.noisy_test_acc[snr]:.6f}" if snr in result.noisy_test_acc else "" for snr in snrs),
            ]
        )
    return buffer.getvalue()
