"""Wall time of every epoch end in the epoch logs, for time-to-accuracy curves."""

import time

import keras


class ElapsedTimeLog(keras.callbacks.Callback):
    """Adds ``elapsed_seconds`` to each epoch's logs, so ``training_log.csv`` gets the column.

    It must come before the callbacks that write the logs (CSV, TensorBoard). The seconds
    count from ``started``, the same instant the time budget counts from, so a curve of
    validation accuracy against this column is the run's time-to-accuracy. A resumed run
    counts from its own start.

    Args:
        started: ``time.monotonic()`` at the start of the run.
    """

    def __init__(self, started: float):
        super().__init__()
        self.started = started

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["elapsed_seconds"] = time.monotonic() - self.started
