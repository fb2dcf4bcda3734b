"""Training on several converted splits at once: resolved, recorded, refused when mistyped, and trained on."""

import json
import os
import subprocess
import sys

import pytest

from pretraining.config_file import read_config
from pretraining.pretraining_config import PretrainingConfig
from pretraining.pretraining_config_error import PretrainingConfigError
from pretraining.resolved_pretraining import resolve
from pretraining.run_settings import resumable_settings, run_settings

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SPLITS = "train-clean-100,train-other"


@pytest.fixture(scope="module")
def tfrecords(tmp_path_factory, convert_tiny_corpus, convert_second_training_split):
    root = tmp_path_factory.mktemp("splits") / "LibriSpeech"
    tfrecords = convert_tiny_corpus(root)
    convert_second_training_split(root)
    return tfrecords


def _config(tfrecords, train_split=SPLITS, **changes):
    return (
        PretrainingConfig()
        .replace(data_dir=tfrecords, train_split=train_split, batch_size=4, window=8192)
        .replace(**changes)
    )


def test_splits_are_weighted_by_their_hours_and_listed_in_config_json(tfrecords, tmp_path):
    resolved = resolve(_config(tfrecords))
    assert resolved.train_splits == ["train-clean-100", "train-other"]
    assert resolved.train_dirs == [tfrecords / "train-clean-100", tfrecords / "train-other"]
    assert resolved.train_weights == pytest.approx([12 / 28, 16 / 28])
    settings = run_settings(resolved)
    assert settings["resolved"]["train_splits"] == [
        {
            "split": "train-clean-100",
            "utterances": 12,
            "hours": pytest.approx(12 / 3600),
            "weight": pytest.approx(3 / 7),
        },
        {"split": "train-other", "utterances": 8, "hours": pytest.approx(16 / 3600), "weight": pytest.approx(4 / 7)},
    ]
    assert (settings["resolved"]["train_utterances"], settings["data"]["train_split"]) == (20, SPLITS)
    path = tmp_path / "config.json"
    path.write_text(json.dumps(settings))
    assert read_config(path) == _config(tfrecords)


def test_one_split_resolves_as_before(tfrecords):
    resolved = resolve(_config(tfrecords, train_split="train-other"))
    assert (resolved.train_splits, resolved.train_weights) == (["train-other"], [1.0])
    assert run_settings(resolved)["resolved"]["train_utterances"] == 8


def test_every_manifest_is_fingerprinted_and_another_split_list_does_not_resume(tfrecords, tmp_path):
    import keras

    from pretraining.training_backup import DATA_KEY, BackupMismatchError, TrainingBackup, TrainingPosition, read_backup

    def resumable(train_split):
        resolved = resolve(_config(tfrecords, train_split=train_split))
        return resumable_settings(run_settings(resolved), resolved)

    assert sorted(resumable(SPLITS)[DATA_KEY]) == ["dev-clean", "train-clean-100", "train-other"]
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    model.optimizer.build(model.trainable_variables)
    backup = TrainingBackup(tmp_path, resumable("train-clean-100"), steps_per_epoch=10)
    backup.set_model(model)
    backup.save(TrainingPosition(0, 3))
    assert read_backup(tmp_path, resumable("train-clean-100")) == TrainingPosition(0, 3)
    with pytest.raises(BackupMismatchError, match="the manifest of train-other differs"):
        read_backup(tmp_path, resumable(SPLITS))


def test_a_split_without_a_window_is_refused_before_it_could_stall_the_mixture(tfrecords):
    # train-clean-100's utterances are 16000 samples long, train-other's 32000.
    with pytest.raises(PretrainingConfigError) as error:
        resolve(_config(tfrecords, window=20000))
    assert str(error.value) == "--train-split train-clean-100: no utterance has the 20000 samples of a window"


@pytest.mark.parametrize(
    ("train_split", "message"),
    [
        (
            "train-clean-100,nope",
            "error: --train-split nope: {tfrecords}/nope: TFRecord directory does not exist (run tfrecords.py first)",
        ),
        (
            "train-clean-100,train-other,train-clean-100",
            f"error: --train-split {SPLITS},train-clean-100: train-clean-100 listed more than once",
        ),
        (
            "train-clean-100,,train-other",
            "error: --train-split 'train-clean-100,,train-other': empty split name in the comma-separated list",
        ),
    ],
    ids=["unknown", "repeated", "empty"],
)
def test_bad_split_lists_are_one_line_with_exit_status_2(tfrecords, train_split, message):
    command = [sys.executable, "train.py", "--data-dir", str(tfrecords), "--train-split", train_split]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [message.format(tfrecords=tfrecords)]


@pytest.mark.slow
def test_train_py_trains_on_two_splits_with_speaker_negatives(tfrecords, tmp_path):
    output_dir = tmp_path / "outputs"
    command = [
        sys.executable,
        "train.py",
        "--data-dir",
        str(tfrecords),
        "--train-split",
        SPLITS,
        "--batch-size",
        "4",
        "--window",
        "8192",
        "--negatives",
        "speaker",
        "--windows-per-speaker",
        "2",
        "--epochs",
        "1",
        "--steps-per-epoch",
        "3",
        "--output-dir",
        str(output_dir),
    ]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    summary = result.stdout.splitlines()[:3]
    assert summary == [
        "train-clean-100: 12 utterances, 0.00 h (42.9% of training windows); 0 shorter than the 8192-sample window "
        "are left out",
        "train-other: 8 utterances, 0.00 h (57.1% of training windows); 0 shorter than the 8192-sample window are "
        "left out",
        "dev-clean: 4 utterances, 0.00 h; 0 shorter than the 8192-sample window are left out",
    ]
    config = json.loads((output_dir / "config.json").read_text())
    assert [split["split"] for split in config["resolved"]["train_splits"]] == ["train-clean-100", "train-other"]
    metrics = json.loads((output_dir / "metrics.json").read_text())
    assert metrics["steps"] == 3
    assert (output_dir / "genc.h5").is_file()
