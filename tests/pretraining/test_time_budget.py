"""TrainingBackup's deadline: training ends in time, backed up where it stopped."""

import json

import keras
import numpy as np
import pytest

from pretraining import training_backup
from pretraining.training_backup import TrainingBackup, TrainingPosition, read_backup

STEPS = 10


class _Clock:
    """A monotonic clock that advances one second every time it is read."""

    def __init__(self):
        self.now = 0.0

    def monotonic(self):
        self.now += 1.0
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = _Clock()
    monkeypatch.setattr(training_backup, "time", clock)
    return clock


def _fit(directory, deadline, epochs=3, val_steps=0, validate=False, initial_epoch=0, start=None):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    features = np.ones((STEPS * 2, 3), "float32")
    backup = TrainingBackup(
        directory, {"run": 1}, STEPS, start=start or TrainingPosition(), deadline=deadline, val_steps=val_steps
    )
    validation = (features[:2], features[:2, :1]) if validate else None
    history = model.fit(
        features,
        features[:, :1],
        batch_size=2,
        epochs=epochs,
        initial_epoch=initial_epoch,
        callbacks=[backup],
        validation_data=validation,
        verbose=0,
    )
    return backup, history


def test_without_a_deadline_every_epoch_runs(tmp_path, clock):
    backup, history = _fit(tmp_path, deadline=None)
    assert not backup.reached_deadline
    assert len(history.history["loss"]) == 3
    assert backup.saved_position == TrainingPosition(3, 0)


def test_a_deadline_mid_epoch_backs_up_that_step_and_stops(tmp_path, clock):
    # The clock is read at the first step's start (t=1) and after every step (t=2, 3, ...).
    backup, history = _fit(tmp_path, deadline=15.0)
    assert backup.reached_deadline
    # The 14th step ends at t=15: epoch 1 (from 0), its 4th step.
    assert backup.saved_position == backup.position == TrainingPosition(1, 4)
    assert read_backup(tmp_path, {"run": 1}) == TrainingPosition(1, 4)
    assert len(history.history["loss"]) == 2  # the partial epoch is logged too
    state = json.loads((tmp_path / "backup.json").read_text())
    assert (state["epoch"], state["step"]) == (1, 4)


def test_a_deadline_at_an_epochs_last_step_backs_up_the_next_epoch(tmp_path, clock):
    backup, history = _fit(tmp_path, deadline=11.0)
    assert backup.reached_deadline
    assert backup.saved_position == TrainingPosition(1, 0)
    assert len(history.history["loss"]) == 1


def test_the_first_validation_is_foreseen_from_the_training_steps(tmp_path, clock):
    # One second per step, so 6 validation steps are foreseen to take 6 s: the 9th step,
    # ending at t=10, leaves less than that before t=16.
    backup, _ = _fit(tmp_path, deadline=16.0, val_steps=6)
    assert backup.saved_position == TrainingPosition(0, 9)


def test_later_validations_reserve_the_time_the_last_one_took(tmp_path, clock):
    # Each validation reads the clock twice, so it takes 1 s: epochs 0 and 1 end at t=11
    # and t=23, validated until t=13 and t=25; the 4th step of epoch 2 ends at t=29, one
    # validation second before the deadline. Reserving the foreseen 6 steps would stop
    # after its 1st step.
    backup, history = _fit(tmp_path, deadline=30.0, val_steps=6, validate=True)
    assert backup.saved_position == TrainingPosition(2, 4)
    assert len(history.history["val_loss"]) == 3


def test_a_resumed_partial_epoch_counts_its_steps_from_the_backup(tmp_path, clock):
    backup, history = _fit(tmp_path, deadline=4.0, epochs=2, initial_epoch=1, start=TrainingPosition(1, 6))
    assert backup.saved_position == TrainingPosition(1, 9)
    assert len(history.history["loss"]) == 1
