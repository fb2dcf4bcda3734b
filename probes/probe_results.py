"""What a probe run measured: one result per row, and the recipe they share."""

import dataclasses

import numpy as np


@dataclasses.dataclass
class RowResult:
    """The accuracy of one row of the table and how it was obtained.

    Attributes:
        name: ``cpc``, ``random``, ``mfcc``, ``logmel`` or ``supervised``.
        description: What the features are.
        train_acc: Accuracy on the training examples (frames or windows of ``train_split``).
        test_acc: Accuracy on the test examples (of ``test_split``).
        frozen: Whether the features were frozen (a linear head trained on them) rather than
            the network trained end to end.
        feature_dim: Features per frame.
        frame_ms: Milliseconds between the features' frames.
        pooling: How a speaker window became one vector (``"last"`` or ``"mean"``); None for
            phones.
        train_examples: Training frames (phones) or windows (speakers).
        test_examples: Test frames or windows.
        paper_test_acc: The CPC paper's test accuracy for this row, None where it has none.
        wall_seconds: Time the row took, feature extraction included.
        confusion: Test confusion counts, ``(classes, classes)``, true class by row, predicted
            by column; None for speakers.
    """

    name: str
    description: str
    train_acc: float
    test_acc: float
    frozen: bool
    feature_dim: int
    frame_ms: float
    pooling: str | None
    train_examples: int
    test_examples: int
    paper_test_acc: float | None
    wall_seconds: float
    confusion: np.ndarray | None = None

    def summary(self) -> dict:
        """Every field but the confusion matrix, JSON-ready."""
        names = [field.name for field in dataclasses.fields(self) if field.name != "confusion"]
        return {name: getattr(self, name) for name in names}


@dataclasses.dataclass
class ProbeResults:
    """A finished probe run.

    Attributes:
        task: ``"phone"`` or ``"speaker"``.
        rows: One result per row, in the order asked.
        class_names: Name of every class: phone symbols (or ids), or speaker numbers.
        majority_test_acc: Test accuracy of always answering the commonest training class,
            the floor any useful row must clear.
        recipe: Settings and data counts shared by every row.
    """

    task: str
    rows: list[RowResult]
    class_names: list[str]
    majority_test_acc: float
    recipe: dict


def accuracy(predicted: np.ndarray, expected: np.ndarray) -> float:
    """Fraction of equal entries; 0 for no entries."""
    return float(np.mean(predicted == expected)) if len(expected) else 0.0


def confusion_matrix(expected: np.ndarray, predicted: np.ndarray, num_classes: int) -> np.ndarray:
    """Counts of (true class, predicted class) pairs, ``(num_classes, num_classes)`` int64."""
    pairs = expected.astype(np.int64) * num_classes + predicted.astype(np.int64)
    return np.bincount(pairs, minlength=num_classes * num_classes).reshape(num_classes, num_classes)


def majority_accuracy(train_labels: np.ndarray, test_labels: np.ndarray) -> float:
    """Test accuracy of always answering the commonest training label."""
    commonest = np.bincount(train_labels).argmax()
    return accuracy(np.full(len(test_labels), commonest), test_labels)
