"""A row's accuracies over seeds: means, spreads and the uncertainty of one run."""

import dataclasses
import math

import numpy as np

from kws_eval.kws_row import KwsRow
from kws_eval.row_result import RowResult

Z_95 = 1.959964
"""The standard normal quantile of a two-sided 95 % interval."""


def binomial_half_width(accuracy: float, clips: int) -> float:
    """Half-width of the 95 % normal-approximation interval of one accuracy measured on `clips` clips.

    `1.96 * sqrt(p (1 - p) / n)`: how far one run's test accuracy may lie from the row's true
    accuracy by the luck of which clips are in the test split alone.
    """
    return Z_95 * math.sqrt(accuracy * (1.0 - accuracy) / clips)


@dataclasses.dataclass(frozen=True)
class RowSummary:
    """One row under one label budget, over every seed.

    Attributes:
        row: The row.
        train_per_word: The label budget; None for every training clip.
        runs: The runs, one per seed, in seed order.
    """

    row: KwsRow
    train_per_word: int | None
    runs: tuple[RowResult, ...]

    def mean(self, attribute: str) -> float:
        """Mean over seeds of `train_acc`, `val_acc` or `test_acc`."""
        return float(np.mean([getattr(run, attribute) for run in self.runs]))

    def std(self, attribute: str) -> float:
        """Sample standard deviation over seeds (0 for one seed)."""
        return _sample_std([getattr(run, attribute) for run in self.runs])

    def noisy_mean(self, snr: float) -> float:
        """Mean over seeds of the test accuracy at `snr` dB."""
        return float(np.mean([run.noisy_test_acc[snr] for run in self.runs]))

    def noisy_std(self, snr: float) -> float:
        """Sample standard deviation over seeds of the test accuracy at `snr` dB."""
        return _sample_std([run.noisy_test_acc[snr] for run in self.runs])

    def test_half_width(self, test_clips: int) -> float:
        """`binomial_half_width` of one run at the mean test accuracy."""
        return binomial_half_width(self.mean("test_acc"), test_clips)


def _sample_std(values: list[float]) -> float:
    return float(np.std(values, ddof=1)) if len(values) > 1 else 0.0


def summarise(results: list[RowResult]) -> list[RowSummary]:
    """Groups runs by (row, label budget), in the order each group first appears."""
    groups: dict[tuple[str, int | None], list[RowResult]] = {}
    for result in results:
        groups.setdefault((result.row.name, result.train_per_word), []).append(result)
    return [
        RowSummary(runs[0].row, budget, tuple(sorted(runs, key=lambda run: run.seed)))
        for (_, budget), runs in groups.items()
    ]
