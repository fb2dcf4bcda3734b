"""Figures of a keyword-spotting comparison.

Accuracy bars, confusion matrices, training curves, label-budget and noise curves.
"""

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from artefacts.atomic_files import save_figure
from kws_eval.row_result import RowResult
from kws_eval.row_summary import RowSummary

_SPLITS = (("train_acc", "train"), ("val_acc", "validation"), ("test_acc", "test"))


def plot_accuracy(summaries: list[RowSummary], chance: float, path: Path) -> None:
    """Grouped bars of train, validation and test accuracy per row, with chance.

    The bars are means over seeds, with the standard deviation as error bars.
    """
    figure = Figure(figsize=(max(6.4, 1.2 * len(summaries) + 2), 4.2))
    axes = figure.subplots()
    width = 0.8 / len(_SPLITS)
    positions = np.arange(len(summaries))
    for offset, (attribute, label) in enumerate(_SPLITS):
        values = [100 * summary.mean(attribute) for summary in summaries]
        spreads = [100 * summary.std(attribute) for summary in summaries]
        bars = axes.bar(positions + (offset - 1) * width, values, width, yerr=spreads, capsize=2, label=label)
        axes.bar_label(bars, fmt="%.1f", fontsize=7, padding=1)
    axes.axhline(100 * chance, color="grey", linestyle="--", label=f"chance ({100 * chance:.1f} %)")
    axes.set_xticks(positions, [summary.row.name for summary in summaries], rotation=20, ha="right")
    # Headroom above 100 % keeps the legend clear of the bars.
    axes.set(ylabel="accuracy (%)", ylim=(0, 120), title="Keyword spotting accuracy")
    axes.set_yticks(range(0, 101, 20))
    axes.legend(loc="upper center", ncol=4, fontsize=8)
    axes.grid(axis="y", alpha=0.3)
    save_figure(figure, path, dpi=120)


def plot_label_budgets(summaries: list[RowSummary], chance: float, path: Path) -> None:
    """Test accuracy against training clips per word (log scale), one line per row, std as error bars.

    "Every clip" is placed at the mean number of training clips per word.
    """
    figure = Figure(figsize=(7.5, 4.6))
    axes = figure.subplots()
    ticks = {}
    for index, name in enumerate(dict.fromkeys(summary.row.name for summary in summaries)):
        points = sorted(
            ((_clips_per_word(summary), summary) for summary in summaries if summary.row.name == name),
            key=lambda point: point[0],
        )
        x = [clips for clips, _ in points]
        ticks.update(
            {clips: f"all ({clips:.0f})" if summary.train_per_word is None else f"{clips}" for clips, summary in points}
        )
        axes.errorbar(
            x,
            [100 * summary.mean("test_acc") for _, summary in points],
            yerr=[100 * summary.std("test_acc") for _, summary in points],
            marker="o",
            capsize=3,
            color=f"C{index}",
            linestyle=_line_style(points[0][1]),
            label=name,
        )
    axes.axhline(100 * chance, color="grey", linestyle=":", label="chance")
    axes.set_xscale("log")
    axes.set_xticks(list(ticks), list(ticks.values()))
    axes.minorticks_off()
    axes.set(
        xlabel="training clips per word",
        ylabel="test accuracy (%)",
        ylim=(0, 100),
        title="Keyword spotting with few labels",
    )
    axes.grid(alpha=0.3)
    axes.legend(fontsize=7, ncol=2)
    save_figure(figure, path, dpi=120)


def plot_noise(summaries: list[RowSummary], chance: float, path: Path) -> None:
    """Test accuracy against SNR of the mixed-in background noise, clean at the right, one line per row."""
    figure = Figure(figsize=(7.5, 4.6))
    axes = figure.subplots()
    snrs = sorted(summaries[0].runs[0].noisy_test_acc)
    clean_position = snrs[-1] + max(5.0, (snrs[-1] - snrs[0]) / 4) if len(snrs) > 1 else snrs[-1] + 5.0
    for index, summary in enumerate(summaries):
        x = [*snrs, clean_position]
        y = [100 * summary.noisy_mean(snr) for snr in snrs] + [100 * summary.mean("test_acc")]
        spread = [100 * summary.noisy_std(snr) for snr in snrs] + [100 * summary.std("test_acc")]
        axes.errorbar(
            x,
            y,
            yerr=spread,
            marker="o",
            capsize=3,
            color=f"C{index}",
            linestyle=_line_style(summary),
            label=summary.row.name,
        )
    axes.axhline(100 * chance, color="grey", linestyle=":", label="chance")
    axes.set_xticks([*snrs, clean_position], [f"{snr:g}" for snr in snrs] + ["clean"])
    axes.set(
        xlabel="SNR of the background noise (dB)",
        ylabel="test accuracy (%)",
        ylim=(0, 100),
        title="Keyword spotting in noise",
    )
    axes.grid(alpha=0.3)
    axes.legend(fontsize=7, ncol=2)
    save_figure(figure, path, dpi=120)


def _clips_per_word(summary: RowSummary) -> float:
    if summary.train_per_word is not None:
        return summary.train_per_word
    return summary.runs[0].train_clips / summary.runs[0].confusion.shape[0]


def _line_style(summary: RowSummary) -> str:
    """Dashed lines for the linear rows, solid for the CNN rows."""
    return "--" if summary.row.head == "linear" else "-"


def plot_confusion(result: RowResult, words: tuple[str, ...], path: Path) -> None:
    """The test split's confusion matrix of one row, row-normalised, words on the axes."""
    counts = result.confusion
    totals = counts.sum(axis=1, keepdims=True)
    shares = np.divide(counts, totals, out=np.zeros(counts.shape), where=totals > 0)
    size = max(4.8, 0.28 * len(words) + 2.5)
    figure = Figure(figsize=(size + 1, size))
    axes = figure.subplots()
    image = axes.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    ticks = np.arange(len(words))
    font = 8 if len(words) <= 20 else 6
    axes.set_xticks(ticks, words, rotation=90, fontsize=font)
    axes.set_yticks(ticks, words, fontsize=font)
    axes.set(
        xlabel="predicted word",
        ylabel="true word",
        title=f"{result.row.representation}\ntest accuracy {100 * result.test_acc:.1f} %",
    )
    figure.colorbar(image, ax=axes, fraction=0.046, pad=0.04, label="share of the true word's clips")
    save_figure(figure, path, dpi=120)


def plot_training_curves(results: list[RowResult], path: Path) -> None:
    """Accuracy and loss per epoch of every row, training dashed, validation solid."""
    figure = Figure(figsize=(11, 4.2))
    accuracy_axes, loss_axes = figure.subplots(1, 2)
    for index, result in enumerate(results):
        color = f"C{index}"
        for key, style, split in (("", "--", "train"), ("val_", "-", "val")):
            for axes, metric in ((accuracy_axes, "accuracy"), (loss_axes, "loss")):
                values = result.history.get(f"{key}{metric}", [])
                axes.plot(range(1, len(values) + 1), values, style, color=color, label=f"{result.row.name} ({split})")
    accuracy_axes.set(xlabel="epoch", ylabel="accuracy", ylim=(0, 1), title="Accuracy")
    loss_axes.set(xlabel="epoch", ylabel="cross-entropy", title="Loss")
    for axes in (accuracy_axes, loss_axes):
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.grid(alpha=0.3)
    loss_axes.legend(fontsize=7, ncol=2)
    save_figure(figure, path, dpi=120)
