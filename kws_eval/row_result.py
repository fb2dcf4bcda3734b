"""What training and evaluating one row of the table gave."""

import dataclasses

import numpy as np

from kws_eval.kws_row import KwsRow


@dataclasses.dataclass
class RowResult:
    """Accuracies, curves and sizes of one trained row.

    Accuracies are fractions measured after training with the model in
    inference mode on every clip of the split (so `train_acc` is not the
    running average Keras shows during an epoch).

    Attributes:
        row: The row.
        train_acc: Accuracy on the training split.
        val_acc: Accuracy on the validation split.
        test_acc: Accuracy on the testing split.
        confusion: `(words, words)` counts on the testing split: true word
            by row, predicted word by column.
        history: Per-epoch `loss`, `accuracy`, `val_loss`, `val_accuracy`.
        frames: Frames per clip the front end gives.
        features: Features per frame.
        hop: The front end's hop in samples; None if unknown.
        receptive_field: The front end's receptive field in samples; None if unknown.
        trainable_params: Parameters trained (classifier, plus the encoder for "_ft" rows).
        total_params: All parameters of the saved model.
        wall_seconds: Time the row took, training and evaluation.
    """

    row: KwsRow
    train_acc: float
    val_acc: float
    test_acc: float
    confusion: np.ndarray
    history: dict[str, list[float]]
    frames: int
    features: int
    hop: int | None
    receptive_field: int | None
    trainable_params: int
    total_params: int
    wall_seconds: float
