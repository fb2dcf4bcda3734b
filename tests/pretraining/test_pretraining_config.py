import json
import os
import subprocess
import sys

import pytest

from augmentation.augmentation_config import DEFAULT_PROBABILITY, EFFECTS
from librispeech.split_converter import ConversionConfig, convert_split
from pretraining.cpc_pretraining import accuracy_table
from pretraining.pretraining_config import PretrainingConfig
from pretraining.pretraining_config_error import PretrainingConfigError
from pretraining.resolved_pretraining import resolve

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """A TFRecord root with tiny train-clean-100 and dev-clean splits of 2 s utterances."""
    import numpy as np
    import soundfile

    root = tmp_path_factory.mktemp("data") / "LibriSpeech"
    for split, speakers in (("train-clean-100", (1, 2)), ("dev-clean", (3,))):
        for speaker in speakers:
            chapter_dir = root / split / str(speaker) / "7"
            chapter_dir.mkdir(parents=True)
            lines = []
            for index in range(5):
                utterance_id = f"{speaker}-7-{index:04d}"
                soundfile.write(chapter_dir / f"{utterance_id}.flac", np.zeros(32000, np.int16) + index, 16000)
                lines.append(f"{utterance_id} HI")
            (chapter_dir / f"{speaker}-7.trans.txt").write_text("\n".join(lines) + "\n")
        convert_split(ConversionConfig(root, split, workers=1, show_progress=False))
    return root.parent / "tfrecords"


def _config(data_dir, **changes):
    return PretrainingConfig().replace(data_dir=data_dir, batch_size=4).replace(**changes)


def test_resolves_the_seed_preset_defaults(converted):
    resolved = resolve(_config(converted))
    assert (resolved.spec.hop, resolved.spec.receptive_field, resolved.spec.dim_z) == (256, 512, 40)
    assert (resolved.pred_steps, resolved.dim_c, resolved.frames_per_window) == (10, 40, 80)
    assert [manifest.num_records for manifest in resolved.train_manifests] == [10]
    assert resolved.minimum_window() == 4096


def test_paper_preset_takes_its_gru_and_steps(converted):
    resolved = resolve(_config(converted, encoder="paper"))
    assert (resolved.spec.hop, resolved.spec.dim_z, resolved.dim_c, resolved.pred_steps) == (160, 512, 256, 12)
    assert resolve(_config(converted, encoder="paper", dim_c=64, pred_steps=3)).dim_c == 64


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"num_neg": 0}, "--num-neg must be at least 1, got 0"),
        ({"epochs": 0}, "--epochs must be at least 1, got 0"),
        ({"pred_steps": 0}, "--pred-steps must be at least 1, got 0"),
        ({"crops_per_utterance": 0}, "--crops-per-utterance must be at least 1, got 0"),
        ({"lr": 0.0}, "--lr must be positive, got 0.0"),
        ({"lr_milestones": (15, 10)}, "--lr-milestones must be increasing positive epochs, got [15, 10]"),
        ({"negatives": "batch", "batch_size": 1}, "--negatives batch needs --batch-size of at least 2"),
        ({"window": 4095}, "--window 4095 is too short"),
        ({"t_skip": 100_000_000}, "--t-skip must be at most 10000, got 100000000"),
        ({"pred_steps": 1001}, "--pred-steps must be at most 1000, got 1001"),
        ({"seed": -1}, "--seed must be in [0, 2^32), got -1"),
        ({"seed": 2**32}, "--seed must be in [0, 2^32), got 4294967296"),
        (
            {"batch_size": 11},
            "--train-split train-clean-100: 10 utterances hold a 20480-sample window, fewer than one batch of 11",
        ),
        ({"val_split": "test-other"}, "--val-split test-other: "),
        (
            {"encoder": "nope"},
            "--encoder: encoder 'nope': not a preset (seed, paper, modified, modified-small) nor a YAML file",
        ),
        ({"ar": "rnn"}, "--ar must be one of gru, lstm, got 'rnn'"),
        ({"predictor": "mlp"}, "--predictor must be one of linear, transformer, got 'mlp'"),
        ({"negatives": "corpus"}, "--negatives must be one of sequence, batch, speaker, got 'corpus'"),
        ({"ar_layers": 0}, "--ar-layers must be at least 1, got 0"),
        ({"predictor_dropout": 1.0}, "--predictor-dropout must be in [0, 1), got 1.0"),
        ({"time_budget": 0.0}, "--time-budget must be a positive number of minutes, got 0.0"),
        ({"windows_per_speaker": 2}, "--windows-per-speaker 2 needs --negatives speaker (negatives are sequence)"),
        (
            {"negatives": "speaker", "windows_per_speaker": 3},
            "--batch-size 4 must be a multiple of --windows-per-speaker 3",
        ),
        (
            {"negatives": "speaker", "windows_per_speaker": 3, "batch_size": 9, "val_split": "train-clean-100"},
            "--train-split train-clean-100: its speakers' utterances make 2 groups of 3 windows of one speaker, "
            "fewer than one batch of 9 (lower --windows-per-speaker or --batch-size)",
        ),
        ({"noise_dir": "noise"}, "--noise-dir needs --augment (with the noise effect)"),
    ],
)
def test_bad_settings_are_one_line(converted, changes, message):
    with pytest.raises(PretrainingConfigError) as error:
        resolve(_config(converted, **changes))
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_modified_preset_takes_its_whole_recipe(converted):
    resolved = resolve(_config(converted, encoder="modified"))
    assert (resolved.spec.hop, resolved.spec.receptive_field, resolved.spec.dim_z, resolved.spec.norm) == (
        160,
        465,
        256,
        "channel",
    )
    assert (resolved.dim_c, resolved.pred_steps, resolved.ar, resolved.ar_layers) == (256, 12, "lstm", 2)
    assert (resolved.predictor, resolved.predictor_dropout) == ("transformer", 0.5)
    assert (resolved.num_neg, resolved.negatives, resolved.windows_per_speaker) == (128, "speaker", 4)
    assert resolved.chance_accuracy == 1 / 129
    assert resolved.augment is None


def test_flags_override_the_presets_recipe(converted):
    resolved = resolve(
        _config(
            converted,
            encoder="modified",
            ar="gru",
            ar_layers=1,
            predictor="linear",
            predictor_dropout=0.0,
            num_neg=5,
            negatives="batch",
        )
    )
    assert (resolved.ar, resolved.ar_layers, resolved.predictor, resolved.predictor_dropout) == (
        "gru",
        1,
        "linear",
        0.0,
    )
    assert (resolved.num_neg, resolved.negatives, resolved.windows_per_speaker) == (5, "batch", 1)
    assert resolve(_config(converted, negatives="speaker", windows_per_speaker=2)).windows_per_speaker == 2


def test_seed_preset_keeps_the_reference_recipe(converted):
    resolved = resolve(_config(converted))
    assert (resolved.ar, resolved.ar_layers, resolved.predictor, resolved.predictor_dropout) == (
        "gru",
        1,
        "linear",
        0.0,
    )
    assert (resolved.num_neg, resolved.negatives, resolved.windows_per_speaker) == (10, "sequence", 1)


def test_augment_text_is_parsed_with_the_noise_folder(converted, tmp_path):
    resolved = resolve(_config(converted, augment="pitch:0.3,reverb"))
    assert (resolved.augment.pitch, resolved.augment.reverb, resolved.augment.noise, resolved.augment.band_reject) == (
        0.3,
        DEFAULT_PROBABILITY,
        0.0,
        0.0,
    )
    everything = resolve(_config(converted, augment="default")).augment
    assert all(getattr(everything, effect) == DEFAULT_PROBABILITY for effect in EFFECTS)


def test_window_limit_counts_padding_of_a_yaml_encoder(converted, tmp_path):
    spec = tmp_path / "small.yaml"
    spec.write_text("conv_dims:\n  - [1, 8, 4, 4, 0, 1]\n  - [8, 16, 4, 2, 0, 1]\n  - 16\n")
    resolved = resolve(_config(converted, encoder=str(spec), t_skip=2, pred_steps=3))
    window = resolved.minimum_window()
    assert resolved.spec.num_frames(window) == 2 + 1 + 3
    assert resolved.spec.num_frames(window - 1) < 6


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--num-neg", "0"], "error: --num-neg must be at least 1, got 0"),
        (["--window", "1000"], "error: --window 1000 is too short"),
        (["--crops-per-utterance", "0"], "error: --crops-per-utterance must be at least 1, got 0"),
        (["--encoder", "missing.yaml"], "error: --encoder: missing.yaml: no such encoder spec file"),
        (["--augment", "echo"], "error: --augment: unknown effect 'echo'"),
        (
            ["--encoder", "modified", "--windows-per-speaker", "3"],
            "error: --batch-size 4 must be a multiple of --windows-per-speaker 3",
        ),
        (
            ["--data-dir", "/nonexistent"],
            "error: --train-split train-clean-100: /nonexistent/train-clean-100: TFRecord directory does not exist",
        ),
    ],
)
def test_train_py_rejects_bad_flags_with_exit_code_2(converted, args, message):
    command = [sys.executable, "train.py", "--data-dir", str(converted), "--batch-size", "4", *args]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith(message)
    assert "Traceback" not in result.stderr


def test_unreadable_yaml_is_named(converted, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("conv_dims: [1, 2\n")
    with pytest.raises(PretrainingConfigError, match=r"--encoder: .*broken\.yaml: invalid YAML"):
        resolve(_config(converted, encoder=str(broken)))


def test_accuracy_table_lists_every_step_against_chance():
    metrics = {
        "chance_accuracy": 0.1,
        "train_accuracy_per_step": {"1": 0.9, "2": 0.5},
        "val_accuracy_per_step": {"1": 0.8, "2": 0.3},
    }
    assert accuracy_table(metrics).splitlines()[2:] == ["| 1 | 0.900 | 0.800 | 8.0x |", "| 2 | 0.500 | 0.300 | 3.0x |"]


def test_a_second_run_on_an_output_folder_in_use_stops_with_one_line(converted, lock_holder, tmp_path):
    output_dir = tmp_path / "outputs"
    holder = lock_holder(output_dir)
    command = [
        sys.executable,
        "train.py",
        "--data-dir",
        str(converted),
        "--batch-size",
        "4",
        "--output-dir",
        str(output_dir),
    ]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        f"error: {output_dir}: in use by another run (process {holder.pid}); wait for it to end or give another folder"
    )
    assert sorted(path.name for path in output_dir.iterdir()) == [".lock"]


def test_an_output_folder_under_a_regular_file_is_one_line(converted, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    command = [
        sys.executable,
        "train.py",
        "--data-dir",
        str(converted),
        "--batch-size",
        "4",
        "--output-dir",
        str(blocker / "outputs"),
    ]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 2
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith(f"error: {blocker / 'outputs'}") and "Not a directory" in line
    assert "Traceback" not in result.stderr


def test_a_backup_is_tied_to_the_sha256_of_both_manifests(converted):
    import hashlib

    from pretraining.run_settings import resumable_settings, run_settings
    from pretraining.training_backup import DATA_KEY

    resolved = resolve(_config(converted))
    resumable = resumable_settings(run_settings(resolved), resolved)
    assert resumable[DATA_KEY] == {
        split: hashlib.sha256((converted / split / "manifest.json").read_bytes()).hexdigest()
        for split in ("train-clean-100", "dev-clean")
    }
    assert "epochs" not in resumable and "time_budget" not in resumable


@pytest.mark.parametrize("kib", [16, 256])
def test_a_full_disk_is_one_line_and_leaves_no_half_written_file(converted, tmp_path, small_disk, kib):
    output_dir = tmp_path / "outputs"
    returncode, _, stderr, left = small_disk(
        output_dir,
        kib,
        [
            sys.executable,
            "train.py",
            "--data-dir",
            str(converted),
            "--batch-size",
            "4",
            "--epochs",
            "1",
            "--steps-per-epoch",
            "2",
            "--output-dir",
            str(output_dir),
        ],
    )
    assert returncode == 2, stderr
    line = stderr.strip().splitlines()[-1]
    assert line.startswith(f"error: {output_dir}") and "No space left on device" in line, line
    assert "Traceback" not in stderr
    assert not [name for name in left if ".tmp" in name], left


def test_a_runs_config_json_reads_back_as_its_settings(converted, tmp_path):
    from pretraining.config_file import read_config
    from pretraining.run_settings import run_settings

    config = _config(converted, encoder="modified-small", augment="pitch:0.3", lr_milestones=(2, 4), time_budget=5.0)
    path = tmp_path / "config.json"
    path.write_text(json.dumps(run_settings(resolve(config))))
    assert read_config(path) == config
