"""Backups that let a killed pretraining run continue where it stopped.

A backup is one unit: the model's weights with the optimizer's state in a file named after
its position (``backup-<epoch>-<step>.weights.h5``), and ``backup.json``, which names that
file and says where training stood (epoch, step within it, settings, data). The weights are
written first under a new name, then ``backup.json`` is switched to them in one rename, and
only then are older weights removed: a kill at any moment leaves a complete backup, the old
one or the new one, never new weights paired with an old position. Everything is flushed to
disk before its rename. Keras's own ``BackupAndRestore`` resumes at epoch starts only and
writes in place; this one resumes mid-epoch.
"""

import dataclasses
import json
import math
import pathlib
import signal
import time

import keras

from artefacts.atomic_files import save_weights, write_json
from cli.user_error import UserError

STATE_NAME = "backup.json"
DATA_KEY = "data_manifests"
"""Key of the settings holding a fingerprint of every data manifest the run reads."""
_LEGACY_WEIGHTS = "backup.weights.h5"
"""The weights of a backup from before backups named their weights file."""


class BackupMismatchError(UserError):
    """A backup made with other settings or data than the run that would resume it, or damaged."""


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
    left is less than the last epoch's end took (validation and the other callbacks' work,
    measured from the validation's start to the next step's), it backs up and stops; Keras
    then validates the (possibly partial) epoch and the run ends with its usual artefacts,
    resumable from the backup.

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
        self._validation_started: float | None = None
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
        elif self._validation_started is not None:
            # Validation and every callback's epoch-end work (checkpoints, logs, figures): all
            # of it comes again after the step that stops the run.
            self._validation_seconds = time.monotonic() - self._validation_started
            self._validation_started = None

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

    def on_epoch_end(self, epoch, logs=None):
        stopped_mid_epoch = self.reached_deadline and self.position.step < self.steps_per_epoch
        if self.interrupted_by is None and not stopped_mid_epoch and _finite(logs):
            self.save(TrainingPosition(epoch + 1, 0))

    def save(self, position: TrainingPosition) -> None:
        """Writes the weights under a new name, switches ``backup.json`` to them, then drops older ones."""
        self.directory.mkdir(parents=True, exist_ok=True)
        weights = f"backup-{position.epoch:05d}-{position.step:07d}.weights.h5"
        save_weights(self.model, self.directory / weights)
        state = {"epoch": position.epoch, "step": position.step, "weights": weights, "settings": self.settings}
        write_json(self.directory / STATE_NAME, state, indent=1)
        for old in self.directory.glob("backup*.weights.h5"):
            if old.name != weights:
                old.unlink()
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
    """Where a backed-up run stood, or None if there is no backup.

    Raises:
        BackupMismatchError: The backup was made with other settings, or on data whose
            manifests changed since, or it is damaged (``backup.json`` unreadable, or the
            weights it names missing); the message says to add ``--restart``.
    """
    state = _read_state(pathlib.Path(directory))
    if state is None:
        return None
    saved = state["settings"]
    if DATA_KEY not in saved:
        # A backup from before backups recorded their data: its data cannot be compared.
        settings = {key: value for key, value in settings.items() if key != DATA_KEY}
    changed = sorted(key for key in set(saved) | set(settings) if saved.get(key) != settings.get(key))
    if DATA_KEY in changed:
        before, now = saved.get(DATA_KEY) or {}, settings.get(DATA_KEY) or {}
        splits = sorted(split for split in set(before) | set(now) if before.get(split) != now.get(split))
        raise BackupMismatchError(
            f"{directory}: the data changed since this backup was made (the manifest of {', '.join(splits)} "
            "differs); add --restart to train on it from the start"
        )
    if changed:
        raise BackupMismatchError(
            f"{directory}: backup of a run with other settings ({', '.join(changed)} differ); "
            "rerun with the same flags to resume, or add --restart"
        )
    return TrainingPosition(state["epoch"], state["step"])


def discard_backup(directory: pathlib.Path) -> None:
    """Removes the backup's own files (and their temporary copies), then the folder if that left it empty.

    Anything else in the folder is the user's and stays, with the folder.
    """
    directory = pathlib.Path(directory)
    if not directory.is_dir():
        return
    for pattern in (STATE_NAME, f".{STATE_NAME}.tmp", "backup*.weights.h5", ".backup*.tmp.weights.h5"):
        for path in directory.glob(pattern):
            path.unlink()
    if not any(directory.iterdir()):
        directory.rmdir()


def restore(model: keras.Model, directory: pathlib.Path) -> None:
    """Loads the backed-up weights and optimizer state into a built, compiled model."""
    if not model.optimizer.built:
        model.optimizer.build(model.trainable_variables)
    model.load_weights(pathlib.Path(directory) / _read_state(pathlib.Path(directory))["weights"])


def _read_state(directory: pathlib.Path) -> dict | None:
    """``backup.json`` checked against the files it names; None when there is no backup.

    Raises:
        BackupMismatchError: The backup is damaged.
    """
    state_path = directory / STATE_NAME
    if not state_path.is_file():
        return None
    text = ""
    try:
        text = state_path.read_text()
        state = json.loads(text)
        position = (state["epoch"], state["step"])
        if not isinstance(state["settings"], dict) or not all(isinstance(value, int) for value in position):
            raise TypeError("wrong types")
        state.setdefault("weights", _LEGACY_WEIGHTS)
    except (OSError, ValueError, KeyError, TypeError) as error:
        reason = "empty file" if not text.strip() else f"not a backup record ({type(error).__name__})"
        raise BackupMismatchError(f"{state_path}: damaged backup ({reason}); add --restart to start over") from None
    if not (directory / state["weights"]).is_file():
        raise BackupMismatchError(
            f"{state_path}: damaged backup (its weights {state['weights']} are missing); add --restart to start over"
        )
    return state


def _finite(logs) -> bool:
    return all(math.isfinite(float(value)) for value in (logs or {}).values() if _is_number(value))


def _is_number(value) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True
