"""What training and evaluating one row of the table once (one seed, one label budget) gave."""

import dataclasses

import numpy as np

from kws_eval.kws_row import KwsRow


@dataclasses.dataclass
class RowResult:
    """Accuracies, curves and sizes of one trained row.

    Accuracies are fractions measured after training with the model in
    inference mode on every clip of the split (so `train_acc` is not the
    running average Keras shows during an epoch, and is measured on clean,
    unshifted clips).

    Attributes:
        row: The row.
        seed: The seed of this run.
        classifier: What the row trained on the front end: "temporal" or
            "image" (a CNN, see `kws_classifier`) or "linear".
        train_per_word: The label budget, training clips per word; None for every clip.
        train_clips: Training clips the row was trained on.
        train_acc: Accuracy on those training clips.
        val_acc: Accuracy on the validation split.
        test_acc: Accuracy on the testing split.
        noisy_test_acc: Test accuracy with background noise mixed in, by SNR in dB.
        confusion: `(words, words)` counts on the testing split: true word
            by row, predicted word by column.
        history: Per-epoch `loss`, `accuracy`, `val_loss`, `val_accuracy`
            (empty for a linear row, which is fitted exactly).
        frames: Frames per clip the front end gives.
        features: Features per frame.
        hop: The front end's hop in samples; None if unknown.
        receptive_field: The front end's receptive field in samples; None if unknown.
        trainable_params: Parameters trained (classifier, plus the encoder for "_ft" rows).
        total_params: All parameters of the saved model.
        steps: Optimizer steps taken (0 for a linear row).
        wall_seconds: Time the row took, training and evaluation.
    """

    row: KwsRow
    seed: int
    classifier: str
    train_per_word: int | None
    train_clips: int
    train_acc: float
    val_acc: float
    test_acc: float
    noisy_test_acc: dict[float, float]
    confusion: np.ndarray
    history: dict[str, list[float]]
    frames: int
    features: int
    hop: int | None
    receptive_field: int | None
    trainable_params: int
    total_params: int
    steps: int
    wall_seconds: float
