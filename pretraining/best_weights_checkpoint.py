"""Keeps the weights of the epoch with the lowest validation loss."""

import math
import pathlib

import keras

from artefacts.atomic_files import save_weights


class BestWeightsCheckpoint(keras.callbacks.Callback):
    """Saves the model's weights at each epoch end whose ``monitor`` is the lowest so far.

    Unlike `keras.callbacks.ModelCheckpoint`, the file is written under a temporary name and
    renamed, and free space is checked first, so a kill or a full disk never leaves a torn
    file (nor crashes h5py). As with it, a resumed run starts its "best" afresh.

    Args:
        path: The ``.weights.h5`` file.
        monitor: The epoch-end log to minimise.
    """

    def __init__(self, path: pathlib.Path, monitor: str = "val_loss"):
        super().__init__()
        self.path = pathlib.Path(path)
        self.monitor = monitor
        self.best = math.inf

    def on_epoch_end(self, epoch, logs=None):
        value = (logs or {}).get(self.monitor)
        if value is not None and math.isfinite(value) and value < self.best:
            self.best = float(value)
            save_weights(self.model, self.path)
