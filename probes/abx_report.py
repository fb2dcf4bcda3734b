"""The files an ABX run leaves: results.json, results.md, results.csv and abx.png."""

import pathlib

import numpy as np
from matplotlib.figure import Figure

from artefacts.atomic_files import save_figure, write_json, write_text
from probes.abx_probe import AbxResults
from probes.abx_score import MODES
from probes.probe_report import rows_csv

_CSV_FIELDS = (
    "row",
    "within_error",
    "across_error",
    "within_triplets",
    "across_triplets",
    "within_phone_pairs",
    "across_phone_pairs",
    "feature_dim",
    "frame_ms",
    "wall_seconds",
    "description",
)


def write_abx_report(results: AbxResults, directory: pathlib.Path) -> list[pathlib.Path]:
    """Writes every result file into ``directory``, each under a temporary name, then renamed.

    Returns:
        The paths written.
    """
    directory = pathlib.Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    document = {"task": "abx", "recipe": results.recipe, "rows": {row.name: row.summary() for row in results.rows}}
    written = [
        write_json(directory / "results.json", document),
        write_text(directory / "results.md", abx_markdown(results)),
        write_text(directory / "results.csv", rows_csv(results.rows, _CSV_FIELDS)),
    ]
    plot_abx(results, directory / "abx.png")
    return [*written, directory / "abx.png"]


def abx_table(results: AbxResults) -> str:
    """Markdown table of every row's errors (lower is better) and triplet counts."""
    lines = [
        "| row | features | ABX within speakers | ABX across speakers | triplets (within / across) |",
        "|---|---|---:|---:|---:|",
    ]
    for row in results.rows:
        errors = [_percent(row.score.error(mode)) for mode in MODES]
        lines.append(
            f"| {row.name} | {row.description} | {errors[0]} | {errors[1]} | "
            f"{row.score.within_triplets} / {row.score.across_triplets} |"
        )
    return "\n".join(lines)


def abx_markdown(results: AbxResults) -> str:
    """results.md: the table and what was scored."""
    recipe = results.recipe
    summary = (
        f"ABX error on {recipe['tfrecords']}: {recipe['utterances']} aligned utterances of {recipe['speakers']} "
        f"speakers, {recipe['items']} triphone items (at most {recipe['max_items_per_group']} per category and "
        f"speaker, seed {recipe['seed']}); {recipe['distance']}. Chance is 50 %."
    )
    return f"{summary}\n\n{abx_table(results)}\n"


def plot_abx(results: AbxResults, path: pathlib.Path) -> None:
    """Bars of the within- and across-speaker error of every row, with chance at 50 %."""
    names = [row.name for row in results.rows]
    positions = np.arange(len(names))
    figure = Figure(figsize=(max(6.0, 1.2 * len(names) + 2.5), 4.2))
    axes = figure.subplots()
    width = 0.38
    for offset, mode in zip((-width / 2, width / 2), MODES):
        values = [
            100 * (row.score.error(mode) if row.score.error(mode) is not None else np.nan) for row in results.rows
        ]
        bars = axes.bar(positions + offset, values, width, label=f"{mode} speakers")
        axes.bar_label(bars, fmt="%.1f", fontsize=8)
    axes.axhline(50, color="grey", linestyle="--", label="chance")
    axes.set(
        xticks=positions,
        xticklabels=names,
        ylim=(0, 60),
        ylabel="ABX error (%), lower is better",
        title="Triphone ABX discriminability",
    )
    axes.legend(fontsize=8)
    axes.grid(axis="y", alpha=0.3)
    save_figure(figure, path, dpi=110)


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f} %"
