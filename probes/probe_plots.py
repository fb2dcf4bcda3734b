"""Figures of a probe run: accuracy per row, and the phone confusion matrix of a row."""

import pathlib

import numpy as np
from matplotlib.figure import Figure

from artefacts.atomic_files import save_figure
from probes.probe_results import ProbeResults

_TASK_TITLES = {"phone": "Phone classification per frame", "speaker": "Speaker classification per window"}


def plot_accuracy(results: ProbeResults, path: pathlib.Path) -> None:
    """Train and test accuracy of every row as bars, the paper's test accuracy as ticks, the majority line."""
    names = [row.name for row in results.rows]
    positions = np.arange(len(names))
    figure = Figure(figsize=(max(6.0, 1.3 * len(names) + 3.5), 4.2))
    axes = figure.subplots()
    width = 0.38
    train_bars = axes.bar(positions - width / 2, [row.train_acc for row in results.rows], width, label="train")
    test_bars = axes.bar(positions + width / 2, [row.test_acc for row in results.rows], width, label="test")
    axes.bar_label(train_bars, fmt="%.2f", fontsize=8)
    axes.bar_label(test_bars, fmt="%.2f", fontsize=8)
    paper = [(position, row.paper_test_acc) for position, row in zip(positions, results.rows) if row.paper_test_acc]
    if paper:
        axes.scatter(
            [p + width / 2 for p, _ in paper],
            [acc for _, acc in paper],
            marker="_",
            s=400,
            color="black",
            zorder=3,
            label="paper (test)",
        )
    axes.axhline(results.majority_test_acc, color="grey", linestyle="--", label="majority class")
    axes.set(
        xticks=positions,
        xticklabels=names,
        ylim=(0, 1.05),
        ylabel="accuracy",
        title=f"{_TASK_TITLES[results.task]} (linear probe)",
    )
    # Outside the axes: inside, it would hide the bars and the paper's ticks near 1.
    axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    axes.grid(axis="y", alpha=0.3)
    save_figure(figure, path, dpi=110)


def plot_confusion(confusion: np.ndarray, class_names: list[str], title: str, path: pathlib.Path) -> None:
    """A confusion matrix normalised per true class (each row sums to 1 where the class occurs).

    Args:
        confusion: Counts, true class by row, predicted class by column.
        class_names: A tick label per class.
        title: Title of the figure.
        path: The PNG to write.
    """
    totals = confusion.sum(axis=1, keepdims=True)
    rates = np.divide(confusion, totals, out=np.zeros(confusion.shape, dtype=np.float64), where=totals > 0)
    size = max(5.0, 0.2 * len(class_names) + 2)
    figure = Figure(figsize=(size + 1, size))
    axes = figure.subplots()
    image = axes.imshow(rates, cmap="Blues", vmin=0, vmax=1)
    ticks = np.arange(len(class_names))
    axes.set_xticks(ticks, class_names, rotation=90, fontsize=7)
    axes.set_yticks(ticks, class_names, fontsize=7)
    axes.set(xlabel="predicted", ylabel="true", title=title)
    figure.colorbar(image, ax=axes, fraction=0.046, pad=0.04, label="fraction of the true class")
    save_figure(figure, path, dpi=110)
