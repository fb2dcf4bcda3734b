"""Backups that let a killed pretraining run continue where it stopped.

A backup is the model's weights with the optimizer's state (``backup.weights.h5``) and where
training stood (``backup.json``: epoch, step within it, settings). Both are written under a
temporary name and renamed, weights first, so a kill at any moment leaves the previous
complete backup in place. Keras's own ``BackupAndRestore`` resumes at epoch starts only and
writes in place; this one resumes mid-epoch.
"""

import dataclasses
import json
import math
import os
import pathlib
import signal
import time

import keras

from tracking.artefact_files import write_json

WEIGHTS_NAME = "backup.weights.h5"
STATE_NAME = "backup.json"


class BackupMismatchError(ValueError):
    """A backup made with other settings than the run that would resume it."""


@dataclasses.dataclass(frozen=True)
class TrainingPosition:
    """Where a run stands.

    Attributes:
        epoch: Current epoch, from 0.
        step: Steps of that epoch already done.
    """

    epoch: int = 0
    step: int = 0


class TrainingBackup(keras.callbacks.Callback):
    """Saves a backup every ``every_steps`` steps and at each epoch's end, and on request.

    Non-finite losses are never backed up, so a backup always holds good weights. A
    SIGINT or SIGTERM makes it back up after the current step and stop training.

    With a ``deadline`` it also ends training in time: after the step at which the time
    left is less than a validation pass takes, it backs up and stops; Keras then validates
    the (possibly partial) epoch and the run ends with its usual artefacts, resumable from
    the backup.

    Args:
        directory: Folder of the backup.
        settings: The run's settings; resuming with other settings is refused.
        steps_per_epoch: Steps in a full epoch.
        every_steps: Steps between mid-epoch backups; None backs up at epoch ends only.
        start: Position the run (re)starts from.
        deadline: ``time.monotonic()`` value by which training should be over; None for no
            limit.
        val_steps: Validation steps per epoch, to foresee the first validation's duration
            from the training steps' (later ones are measured).
    """

    def __init__(
        self,
        directory: pathlib.Path,
        settings: dict,
        steps_per_epoch: int,
        every_steps: int | None = None,
        start: TrainingPosition = TrainingPosition(),
        deadline: float | None = None,
        val_steps: int = 0,
    ):
        super().__init__()
        self.directory = pathlib.Path(directory)
        self.settings = settings
        self.steps_per_epoch = steps_per_epoch
        self.every_steps = every_steps
        self.position = start
        self.saved_position = start
        self.interrupted_by: int | None = None
        self.deadline = deadline
        self.val_steps = val_steps
        self.reached_deadline = False
        self._validation_seconds: float | None = None
        self._validation_started = 0.0
        self._steps_timed = 0
        self._timing_started: float | None = None
        self._previous_handlers = {}

    def on_train_begin(self, logs=None):
        for signum in (signal.SIGINT, signal.SIGTERM):
            self._previous_handlers[signum] = signal.signal(signum, self._request_stop)

    def on_train_end(self, logs=None):
        self.restore_signal_handlers()

    def restore_signal_handlers(self) -> None:
        """Gives SIGINT and SIGTERM back to their previous handlers.

        Keras skips ``on_train_end`` when ``fit`` raises, so callers call this then.
        """
        for signum, handler in self._previous_handlers.items():
            signal.signal(signum, handler)
        self._previous_handlers = {}

    def on_epoch_begin(self, epoch, logs=None):
        if epoch != self.position.epoch:
            self.position = TrainingPosition(epoch, 0)

    def on_train_batch_begin(self, batch, logs=None):
        if self._timing_started is None:
            # From the first step's start on, so graph tracing counts as training time.
            self._timing_started = time.monotonic()

    def on_train_batch_end(self, batch, logs=None):
        self.position = TrainingPosition(self.position.epoch, self.position.step + 1)
        self._steps_timed += 1
        if not _finite(logs):
            return
        self.reached_deadline = self.reached_deadline or self._deadline_is_near()
        mid_epoch = self.position.step < self.steps_per_epoch
        due = self.every_steps is not None and self.position.step % self.every_steps == 0
        if self.interrupted_by is not None or (mid_epoch and (due or self.reached_deadline)):
            self.save(self.position)
        if self.interrupted_by is not None or self.reached_deadline:
            self.model.stop_training = True

    def on_test_begin(self, logs=None):
        self._validation_started = time.monotonic()

    def on_test_end(self, logs=None):
        self._validation_seconds = time.monotonic() - self._validation_started

    def on_epoch_end(self, epoch, logs=None):
        stopped_mid_epoch = self.reached_deadline and self.position.step < self.steps_per_epoch
        if self.interrupted_by is None and not stopped_mid_epoch and _finite(logs):
            self.save(TrainingPosition(epoch + 1, 0))

    def save(self, position: TrainingPosition) -> None:
        """Writes the weights, then the position, each atomically."""
        self.directory.mkdir(parents=True, exist_ok=True)
        weights = self.directory / WEIGHTS_NAME
        temporary = self.directory / f".{WEIGHTS_NAME[:-len('.weights.h5')]}.tmp.weights.h5"
        self.model.save_weights(temporary)
        os.replace(temporary, weights)
        state = {"epoch": position.epoch, "step": position.step, "settings": self.settings}
        write_json(self.directory / STATE_NAME, state, indent=1)
        self.saved_position = position

    def _deadline_is_near(self) -> bool:
        """Whether the time left is less than the next validation pass will take."""
        if self.deadline is None:
            return False
        now = time.monotonic()
        if self._validation_seconds is not None:
            reserve = self._validation_seconds
        else:
            reserve = self.val_steps * (now - self._timing_started) / self._steps_timed
        return now + reserve >= self.deadline

    def _request_stop(self, signum, frame):
        self.interrupted_by = signum


def read_backup(directory: pathlib.Path, settings: dict) -> TrainingPosition | None:
    """Where a backed-up run stood, or None if there is no complete backup.

    Raises:
        BackupMismatchError: The backup was made with other settings.
    """
    state_path = pathlib.Path(directory) / STATE_NAME
    if not state_path.is_file() or not (pathlib.Path(directory) / WEIGHTS_NAME).is_file():
        return None
    state = json.loads(state_path.read_text())
    changed = sorted(key for key in set(state["settings"]) | set(settings) if state["settings"].get(key) != settings.get(key))
    if changed:
        raise BackupMismatchError(
            f"{directory}: backup of a run with other settings ({', '.join(changed)} differ); "
            "rerun with the same flags to resume, or add --restart"
        )
    return TrainingPosition(state["epoch"], state["step"])


def restore(model: keras.Model, directory: pathlib.Path) -> None:
    """Loads the backed-up weights and optimizer state into a built, compiled model."""
    if not model.optimizer.built:
        model.optimizer.build(model.trainable_variables)
    model.load_weights(pathlib.Path(directory) / WEIGHTS_NAME)


def _finite(logs) -> bool:
    return all(math.isfinite(float(value)) for value in (logs or {}).values() if _is_number(value))


def _is_number(value) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True
