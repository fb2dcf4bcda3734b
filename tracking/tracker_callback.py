"""Keras callback sending every epoch's metrics to a tracker."""

import keras

from tracking.tracker import Tracker


class TrackerCallback(keras.callbacks.Callback):
    """Logs every number of ``fit``'s epoch logs at step ``epoch`` (counted from 0, as TensorBoard).

    The learning rate is added from the optimizer when no other callback put it in the logs.

    Args:
        tracker: Where the metrics go (an ``MlflowTracker``, ``AzureMLTracker`` or ``Trackers``).
        prefix: Put before every name, to keep apart the models one run trains in turn
            (``"mfcc/"`` gives ``mfcc/val_accuracy``).
    """

    def __init__(self, tracker: Tracker, prefix: str = ""):
        super().__init__()
        self.tracker = tracker
        self.prefix = prefix

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        metrics = {}
        for name, value in (logs or {}).items():
            number = _as_float(value)
            if number is not None:
                metrics[f"{self.prefix}{name}"] = number
        optimizer = getattr(self.model, "optimizer", None)
        if f"{self.prefix}learning_rate" not in metrics and optimizer is not None:
            metrics[f"{self.prefix}learning_rate"] = float(keras.ops.convert_to_numpy(optimizer.learning_rate))
        if metrics:
            self.tracker.log_metrics(metrics, step=epoch)


def _as_float(value) -> float | None:
    """A scalar log value as a float; None for text and anything else that is not one number."""
    if isinstance(value, (str, bytes)):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
