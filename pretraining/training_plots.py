"""Figures of a pretraining run: prediction accuracy per step and loss, per epoch."""

import pathlib

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from artefacts.atomic_files import save_figure

PLOTTED_STEPS = (1, 2, 5, 10)


def plot_prediction_accuracy(
    history: dict[str, list[float]], pred_steps: int, chance: float, path: pathlib.Path
) -> None:
    """Validation accuracy per epoch for k = 1, 2, 5, 10 (those that exist), with chance.

    Args:
        history: ``keras.callbacks.History.history``: lists per epoch keyed by metric name.
        pred_steps: K; steps beyond it are not plotted.
        chance: Accuracy of guessing, ``1 / (num_neg + 1)``.
        path: The PNG to write.
    """
    figure = Figure(figsize=(6.4, 4.2))
    axes = figure.subplots()
    for step in (k for k in PLOTTED_STEPS if k <= pred_steps):
        values = history.get(f"val_accuracy_{step}") or history[f"accuracy_{step}"]
        axes.plot(range(1, len(values) + 1), values, marker="o", label=f"{step} step{'s' if step > 1 else ''} ahead")
    axes.axhline(chance, color="grey", linestyle="--", label=f"chance (1/{round(1 / chance)})")
    axes.set(xlabel="epoch", ylabel="prediction accuracy", ylim=(0, 1), title="CPC prediction accuracy (validation)")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.legend()
    axes.grid(alpha=0.3)
    save_figure(figure, path, dpi=120)


def plot_loss(history: dict[str, list[float]], path: pathlib.Path) -> None:
    """Training and validation InfoNCE loss per epoch."""
    figure = Figure(figsize=(6.4, 4.2))
    axes = figure.subplots()
    for key, label in (("loss", "training"), ("val_loss", "validation")):
        if key in history:
            axes.plot(range(1, len(history[key]) + 1), history[key], marker="o", label=label)
    axes.set(xlabel="epoch", ylabel="InfoNCE loss", title="CPC loss")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.legend()
    axes.grid(alpha=0.3)
    save_figure(figure, path, dpi=120)
