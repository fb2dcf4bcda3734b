"""Each stage of `pretrain` on its own: resume, build, fit, diagnose and save, on a tiny corpus."""

import logging
import math
import shutil
import signal

import numpy as np
import pytest
import tensorflow as tf

from librispeech.corpus_error import CorpusError
from pretraining.built_training import BuiltTraining
from pretraining.cpc_pretraining import (
    build_training,
    check_divergence,
    diagnose_read_failure,
    fit_training,
    resume_position,
    save_artefacts,
    writable_folder,
)
from pretraining.pretraining_config import PretrainingConfig
from pretraining.resolved_pretraining import resolve
from pretraining.training_backup import BackupMismatchError, TrainingBackup, TrainingPosition, discard_backup
from pretraining.training_diverged_error import TrainingDivergedError
from pretraining.training_interrupted import TrainingInterrupted

SETTINGS = {"lr": 0.001}


@pytest.fixture(scope="module")
def resolved(tmp_path_factory, convert_tiny_corpus):
    """3 training speakers of 4 one-second utterances: 3 batches of 4 windows of 8192 samples; 1 to validate."""
    tfrecords = convert_tiny_corpus(tmp_path_factory.mktemp("stages") / "LibriSpeech")
    return resolve(PretrainingConfig().replace(data_dir=tfrecords, batch_size=4, window=8192, epochs=3))


@pytest.fixture(scope="module")
def built(resolved, tmp_path_factory):
    return build_training(resolved, tf.distribute.get_strategy(), TrainingPosition(), tmp_path_factory.mktemp("none"))


class _RecordingModel:
    """Stands in for the CPC model: records each ``fit``'s epochs and steps, and may stop training."""

    def __init__(self, stop_after_first=False, failure=None):
        self.calls, self.stop_training = [], False
        self.stop_after_first, self.failure = stop_after_first, failure

    def fit(self, windows, initial_epoch, epochs, steps_per_epoch, **options):
        if self.failure is not None:
            raise self.failure
        self.calls.append((initial_epoch, epochs, steps_per_epoch))
        self.stop_training = self.stop_after_first


def _fit(resolved, tmp_path, start, model):
    backup = TrainingBackup(tmp_path / "backup", SETTINGS, steps_per_epoch=5, start=start)
    fit_training(resolved, BuiltTraining(model, None, None, 5, 1), [backup], backup, start, verbose=0)
    return backup


def test_resume_starts_at_the_beginning_without_a_backup(tmp_path):
    assert resume_position(tmp_path / "backup", SETTINGS) == TrainingPosition()


def test_resume_continues_a_backup_of_the_same_settings_and_refuses_others(tmp_path, built, caplog):
    backup = TrainingBackup(tmp_path / "backup", SETTINGS, steps_per_epoch=3)
    backup.set_model(built.model)
    backup.save(TrainingPosition(1, 2))
    with caplog.at_level(logging.INFO, logger="pretraining"):
        assert resume_position(tmp_path / "backup", SETTINGS) == TrainingPosition(1, 2)
    assert "resuming from the backup" in caplog.text
    with pytest.raises(BackupMismatchError, match=r"other settings \(lr differ\)"):
        resume_position(tmp_path / "backup", {"lr": 0.01})


def test_restart_discards_only_the_backups_own_files(tmp_path, built):
    backup = TrainingBackup(tmp_path / "backup", SETTINGS, steps_per_epoch=3)
    backup.set_model(built.model)
    backup.save(TrainingPosition(1, 2))
    (tmp_path / "backup" / "notes.txt").write_text("mine")
    assert resume_position(tmp_path / "backup", {"lr": 0.01}, restart=True) == TrainingPosition()
    assert [path.name for path in (tmp_path / "backup").iterdir()] == ["notes.txt"]
    (tmp_path / "backup" / "notes.txt").unlink()
    discard_backup(tmp_path / "backup")
    assert not (tmp_path / "backup").exists()


def test_build_sizes_the_epochs_from_the_manifests_and_compiles(built):
    assert (built.steps_per_epoch, built.val_steps) == (3, 1)
    assert built.model.optimizer is not None
    assert next(iter(built.train_windows)).shape == (4, 8192)


def test_fit_finishes_a_resumed_epoch_then_fits_whole_epochs(resolved, tmp_path):
    model = _RecordingModel()
    _fit(resolved, tmp_path, TrainingPosition(1, 2), model)
    assert model.calls == [(1, 2, 3), (2, 3, 5)]
    fresh = _RecordingModel()
    _fit(resolved, tmp_path, TrainingPosition(), fresh)
    assert fresh.calls == [(0, 3, 5)]


def test_fit_stopped_in_the_resumed_epoch_fits_no_more(resolved, tmp_path):
    model = _RecordingModel(stop_after_first=True)
    _fit(resolved, tmp_path, TrainingPosition(1, 2), model)
    assert model.calls == [(1, 2, 3)]


def test_fit_raises_the_interruption_a_signal_asked_for(resolved, tmp_path):
    model = _RecordingModel()
    backup = TrainingBackup(tmp_path / "backup", SETTINGS, steps_per_epoch=5)
    backup.interrupted_by = signal.SIGTERM
    with pytest.raises(TrainingInterrupted, match="interrupted by SIGTERM in epoch 1 after step 0"):
        fit_training(resolved, BuiltTraining(model, None, None, 5, 1), [backup], backup, TrainingPosition(), 0)


def test_a_read_failure_on_sound_shards_is_raised_as_it_came(resolved, tmp_path):
    failure = tf.errors.DataLossError(None, None, "corrupted record")
    with pytest.raises(tf.errors.DataLossError):
        _fit(resolved, tmp_path, TrainingPosition(), _RecordingModel(failure=failure))


def test_diagnose_names_the_first_damaged_shard(resolved, tmp_path):
    assert diagnose_read_failure((resolved.val_dir, *resolved.train_dirs), OSError()) is None
    damaged = tmp_path / "dev-clean"
    shutil.copytree(resolved.val_dir, damaged)
    shard = sorted(damaged.glob("*.tfrecord*"))[0]
    shard.write_bytes(shard.read_bytes()[:-10])
    error = diagnose_read_failure((damaged, *resolved.train_dirs), OSError())
    assert isinstance(error, CorpusError)
    assert str(error).startswith(f"{shard}: ") and str(error).endswith("which resumes from the last backup")


def test_divergence_is_a_nan_loss_in_any_epoch(tmp_path):
    check_divergence({"loss": [2.0, 1.5]}, tmp_path)
    with pytest.raises(TrainingDivergedError, match=rf"in epoch 2; the last good weights are backed up in {tmp_path}"):
        check_divergence({"loss": [2.0, math.nan]}, tmp_path)


def _history(resolved, epochs):
    steps = range(1, resolved.pred_steps + 1)
    return {
        "loss": [2.0] * epochs,
        "val_loss": [2.1] * epochs,
        **{f"accuracy_{k}": [0.5] * epochs for k in steps},
        **{f"val_accuracy_{k}": [0.4] * epochs for k in steps},
    }


def test_save_writes_every_artefact_and_discards_the_finished_runs_backup(resolved, built, tmp_path):
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "backup.json").write_text("{}")
    (tmp_path / "checkpoints").mkdir()
    metrics = save_artefacts(resolved, built, _history(resolved, 3), TrainingPosition(3, 0), 12.5, tmp_path)
    assert (metrics["stopped_by"], metrics["epochs"], metrics["steps"], metrics["windows"]) == ("epochs", 3, 9, 36)
    assert metrics["chance_accuracy"] == pytest.approx(1 / 11)
    for name in (
        "genc.h5",
        "genc.keras",
        "gar.keras",
        "metrics.json",
        "checkpoints/last.weights.h5",
        "plots/prediction_accuracy.png",
        "plots/loss.png",
    ):
        assert (tmp_path / name).stat().st_size > 0, name
    assert not (tmp_path / "backup").exists()


def test_save_before_the_last_epoch_keeps_the_backup(resolved, built, tmp_path, caplog):
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "backup.json").write_text("{}")
    (tmp_path / "checkpoints").mkdir()
    resolved_with_budget = resolve(resolved.config.replace(time_budget=1.0))
    with caplog.at_level(logging.INFO, logger="pretraining"):
        metrics = save_artefacts(
            resolved_with_budget, built, _history(resolved, 2), TrainingPosition(1, 2), 60, tmp_path
        )
    assert (metrics["stopped_by"], metrics["steps"]) == ("time_budget", 5)
    assert (tmp_path / "backup" / "backup.json").is_file()
    assert "time budget of 1 min reached in epoch 2 after step 2" in caplog.text


def test_a_worker_writes_into_a_scratch_folder_it_removes_and_never_the_shared_one(tmp_path):
    shared = tmp_path / "outputs"
    with writable_folder(shared, chief=False) as scratch:
        (scratch / "genc.h5").write_bytes(np.zeros(4).tobytes())
        assert scratch != shared
    assert not scratch.exists() and not shared.exists()
    with writable_folder(shared, chief=True) as folder:
        assert folder == shared and shared.is_dir()
