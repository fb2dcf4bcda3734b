"""Keras callback drawing the prediction-accuracy figure into TensorBoard after every epoch."""

import math
import pathlib
import tempfile

import keras
import tensorflow as tf

from pretraining.training_plots import plot_prediction_accuracy

IMAGE_TAG = "prediction_accuracy"


class PredictionAccuracyImage(keras.callbacks.Callback):
    """Writes ``plots/prediction_accuracy.png`` as it stands after each epoch as a TensorBoard image.

    The figure is the one ``train.py`` saves at the end (validation accuracy per epoch for
    k = 1, 2, 5, 10 with the chance line), so the run can be watched while it trains. It goes to
    its own event folder, ``<log_dir>/figures``, at step ``epoch`` (counted from 0, as Keras's
    TensorBoard callback does). Epochs are kept by number across ``fit`` calls, so a run
    resumed in the middle of an epoch (two ``fit`` calls) draws one continuous figure.

    Args:
        log_dir: The TensorBoard folder (``outputs/logs``).
        pred_steps: K, the prediction steps the model reports as ``val_accuracy_<k>``.
        chance: Accuracy of guessing, ``1 / (num_neg + 1)``.
        tag: The image's name in TensorBoard.
        initial_history: Per-epoch lists of the epochs done before this process started
            (a resumed run's ``training_log.csv``), keyed by metric name.
    """

    def __init__(
        self,
        log_dir: pathlib.Path | str,
        pred_steps: int,
        chance: float,
        tag: str = IMAGE_TAG,
        initial_history: dict[str, list[float]] | None = None,
    ):
        super().__init__()
        self.log_dir = pathlib.Path(log_dir)
        self.pred_steps = pred_steps
        self.chance = chance
        self.tag = tag
        self.initial_history = initial_history
        self._epochs: dict[int, dict[str, float]] = {}
        for key, values in (initial_history or {}).items():
            if key in self._keys():
                for epoch, value in enumerate(values):
                    self._epochs.setdefault(epoch, {})[key] = float(value)
        self._writer = None

    def on_train_begin(self, logs: dict | None = None) -> None:
        if self._writer is None:
            self._writer = tf.summary.create_file_writer(str(self.log_dir / "figures"))

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        values = {key: float(value) for key, value in (logs or {}).items() if key in self._keys()}
        if not values:
            return
        self._epochs[epoch] = values
        with self._writer.as_default():
            tf.summary.image(self.tag, self.render()[None], step=epoch)
        self._writer.flush()

    def on_train_end(self, logs: dict | None = None) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def history(self) -> dict[str, list[float]]:
        """Per-epoch lists from epoch 0 to the last seen; NaN (a gap in the figure) where one is missing."""
        if not self._epochs:
            return {}
        epochs = range(max(self._epochs) + 1)
        keys = sorted({key for values in self._epochs.values() for key in values})
        return {key: [self._epochs.get(epoch, {}).get(key, math.nan) for epoch in epochs] for key in keys}

    def render(self) -> tf.Tensor:
        """The figure of the epochs so far as an RGBA image, ``(height, width, 4)`` uint8."""
        with tempfile.TemporaryDirectory() as folder:
            path = pathlib.Path(folder) / "prediction_accuracy.png"
            plot_prediction_accuracy(self.history(), self.pred_steps, self.chance, path)
            return tf.image.decode_png(path.read_bytes(), channels=4)

    def _keys(self) -> set[str]:
        steps = range(1, self.pred_steps + 1)
        return {f"accuracy_{k}" for k in steps} | {f"val_accuracy_{k}" for k in steps}
