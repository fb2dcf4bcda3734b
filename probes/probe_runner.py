"""The loop every probe shares: each row seeded alike, trained, scored and timed."""

import dataclasses
import time
from collections.abc import Callable

import keras
import numpy as np

from probes.feature_rows import FeatureRow
from probes.probe_config import PAPER_TEST_ACCURACY
from probes.probe_results import RowResult, accuracy, confusion_matrix

Predictions = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
"""``((train_predicted, train_expected), (test_predicted, test_expected))`` classes of a row."""


@dataclasses.dataclass(frozen=True)
class ProbeRunner:
    """Runs rows through what a probe supplies and collects one `RowResult` per row.

    Attributes:
        task: ``"phone"`` or ``"speaker"``, which names the paper's accuracies.
        frozen: Trains a linear head on a frozen row's features; its `Predictions`.
        supervised: Trains a trainable row's network end to end with its head; its `Predictions`.
        seed: Set before every row, so that each starts from the same random state.
        records_pooling: Whether a result records the row's pooling (windows pooled into one
            vector) rather than None (frames classified one by one).
        confusion_classes: Classes of the test confusion matrix a result keeps; None keeps none.
    """

    task: str
    frozen: Callable[[FeatureRow], Predictions]
    supervised: Callable[[FeatureRow], Predictions]
    seed: int
    records_pooling: bool = False
    confusion_classes: int | None = None

    def run(self, rows: list[FeatureRow]) -> list[RowResult]:
        """The result of every row, in order."""
        return [self._run_row(row) for row in rows]

    def _run_row(self, row: FeatureRow) -> RowResult:
        started = time.monotonic()
        keras.utils.set_random_seed(self.seed)
        train, test = (self.supervised if row.trainable else self.frozen)(row)
        (train_predicted, train_expected), (test_predicted, test_expected) = train, test
        confusion = None
        if self.confusion_classes is not None:
            confusion = confusion_matrix(test_expected, test_predicted, self.confusion_classes)
        return RowResult(
            name=row.name,
            description=row.description,
            train_acc=accuracy(train_predicted, train_expected),
            test_acc=accuracy(test_predicted, test_expected),
            frozen=not row.trainable,
            feature_dim=row.feature_dim,
            frame_ms=row.geometry.hop_ms,
            pooling=row.pooling if self.records_pooling else None,
            train_examples=len(train_expected),
            test_examples=len(test_expected),
            paper_test_acc=PAPER_TEST_ACCURACY[self.task].get(row.name),
            wall_seconds=round(time.monotonic() - started, 2),
            confusion=confusion,
        )
