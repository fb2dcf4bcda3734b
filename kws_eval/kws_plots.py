"""Figures of a keyword-spotting comparison: accuracy bars, confusion matrices, curves."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
import numpy as np  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from kws_eval.row_result import RowResult  # noqa: E402
from tracking.artefact_files import save_figure  # noqa: E402

_SPLITS = (("train_acc", "train"), ("val_acc", "validation"), ("test_acc", "test"))


def plot_accuracy(results: list[RowResult], chance: float, path: Path) -> None:
    """Grouped bars of train, validation and test accuracy per row, with chance."""
    figure, axes = plt.subplots(figsize=(max(6.4, 1.5 * len(results) + 2), 4.2))
    width = 0.8 / len(_SPLITS)
    positions = np.arange(len(results))
    for offset, (attribute, label) in enumerate(_SPLITS):
        values = [100 * getattr(result, attribute) for result in results]
        bars = axes.bar(positions + (offset - 1) * width, values, width, label=label)
        axes.bar_label(bars, fmt="%.1f", fontsize=7, padding=1)
    axes.axhline(100 * chance, color="grey", linestyle="--", label=f"chance ({100 * chance:.1f} %)")
    axes.set_xticks(positions, [result.row.name for result in results])
    # Headroom above 100 % keeps the legend clear of the bars.
    axes.set(ylabel="accuracy (%)", ylim=(0, 120), title="Keyword spotting accuracy")
    axes.set_yticks(range(0, 101, 20))
    axes.legend(loc="upper center", ncol=4, fontsize=8)
    axes.grid(axis="y", alpha=0.3)
    save_figure(figure, path, dpi=120)


def plot_confusion(result: RowResult, words: tuple[str, ...], path: Path) -> None:
    """The test split's confusion matrix of one row, row-normalised, words on the axes."""
    counts = result.confusion
    totals = counts.sum(axis=1, keepdims=True)
    shares = np.divide(counts, totals, out=np.zeros(counts.shape), where=totals > 0)
    size = max(4.8, 0.28 * len(words) + 2.5)
    figure, axes = plt.subplots(figsize=(size + 1, size))
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
    figure, (accuracy_axes, loss_axes) = plt.subplots(1, 2, figsize=(11, 4.2))
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
