"""A backup is one unit: a kill at any moment leaves a complete one; a damaged one says --restart."""

import json

import keras
import numpy as np
import pytest

from pretraining import training_backup
from pretraining.training_backup import BackupMismatchError, TrainingBackup, TrainingPosition, read_backup, restore

SETTINGS = {"lr": 0.001, "data_manifests": {"train-clean-100": "aa", "dev-clean": "bb"}}


def _model(seed=0):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    model.optimizer.build(model.trainable_variables)
    return model


def _backup(directory, model):
    backup = TrainingBackup(directory, SETTINGS, steps_per_epoch=10)
    backup.set_model(model)
    return backup


def test_a_kill_between_the_weights_and_the_position_keeps_the_previous_backup(tmp_path, monkeypatch):
    model = _model(0)
    backup = _backup(tmp_path, model)
    backup.save(TrainingPosition(1, 4))
    saved_weights = [weight.copy() for weight in model.get_weights()]
    model.set_weights([weight + 1.0 for weight in saved_weights])

    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(training_backup, "write_json", killed)
    with pytest.raises(KeyboardInterrupt):
        backup.save(TrainingPosition(1, 6))
    assert read_backup(tmp_path, SETTINGS) == TrainingPosition(1, 4)
    resumed = _model(1)
    restore(resumed, tmp_path)
    for restored, saved in zip(resumed.get_weights(), saved_weights):
        np.testing.assert_array_equal(restored, saved)


def test_each_save_leaves_one_weights_file_named_in_backup_json(tmp_path):
    backup = _backup(tmp_path, _model())
    for position in (TrainingPosition(0, 2), TrainingPosition(0, 4), TrainingPosition(1, 0)):
        backup.save(position)
    state = json.loads((tmp_path / "backup.json").read_text())
    assert (state["epoch"], state["step"], state["weights"]) == (1, 0, "backup-00001-0000000.weights.h5")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["backup-00001-0000000.weights.h5", "backup.json"]


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda folder: (folder / "backup.json").write_text(""), "damaged backup (empty file)"),
        (
            lambda folder: (folder / "backup.json").write_text('{"epoch": 1'),
            "damaged backup (not a backup record (JSONDecodeError))",
        ),
        (
            lambda folder: (folder / "backup.json").write_text('{"epoch": "one", "step": 0, "settings": {}}'),
            "damaged backup (not a backup record (TypeError))",
        ),
        (
            lambda folder: (folder / "backup-00000-0000003.weights.h5").unlink(),
            "damaged backup (its weights backup-00000-0000003.weights.h5 are missing)",
        ),
    ],
    ids=["empty", "truncated", "wrong-types", "no-weights"],
)
def test_a_damaged_backup_is_one_line_that_says_restart(tmp_path, damage, reason):
    _backup(tmp_path, _model()).save(TrainingPosition(0, 3))
    damage(tmp_path)
    with pytest.raises(BackupMismatchError) as error:
        read_backup(tmp_path, SETTINGS)
    assert str(error.value) == f"{tmp_path / 'backup.json'}: {reason}; add --restart to start over"


def test_changed_data_is_named_and_needs_restart(tmp_path):
    _backup(tmp_path, _model()).save(TrainingPosition(2, 0))
    changed = {**SETTINGS, "data_manifests": {"train-clean-100": "cc", "dev-clean": "bb"}}
    with pytest.raises(BackupMismatchError) as error:
        read_backup(tmp_path, changed)
    assert str(error.value) == (
        f"{tmp_path}: the data changed since this backup was made (the manifest of "
        "train-clean-100 differs); add --restart to train on it from the start"
    )


def test_a_backup_of_the_earlier_layout_still_resumes(tmp_path):
    model = _model(3)
    model.save_weights(tmp_path / "backup.weights.h5")
    (tmp_path / "backup.json").write_text(json.dumps({"epoch": 2, "step": 5, "settings": SETTINGS}))
    assert read_backup(tmp_path, SETTINGS) == TrainingPosition(2, 5)
    resumed = _model(4)
    restore(resumed, tmp_path)
    for restored, saved in zip(resumed.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(restored, saved)
