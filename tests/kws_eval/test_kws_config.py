from pathlib import Path

import pytest

from kws_eval.kws_config import DEFAULT_ROWS, RECIPES, KwsConfig
from kws_eval.kws_config_error import KwsConfigError
from kws_eval.kws_row import ROWS

ALL_ROWS = "logmel, random, random_ft, cpc, cpc_ft, logmel_linear, random_linear, cpc_linear"


def test_defaults_are_the_reference_table_then_the_linear_rows():
    config = KwsConfig(Path("sc"))
    assert config.rows == DEFAULT_ROWS == tuple(ALL_ROWS.split(", "))
    assert config.needs_encoder
    assert config.train_per_word == (None,) and config.test_snr == () and config.run_seeds == (0,)
    assert not KwsConfig(Path("sc"), rows=("logmel",)).needs_encoder
    assert KwsConfig(Path("sc"), rows=("logmel", "random")).needs_encoder


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"rows": ()}, "--rows is empty"),
        (
            {"rows": ("logmel", "mfcc")},
            f"--rows: unknown row 'mfcc'; the rows are {ALL_ROWS}",
        ),
        ({"rows": ("cpc", "cpc")}, "--rows: row 'cpc' is given twice"),
        ({"epochs": 0}, "--epochs must be at least 1, got 0"),
        ({"batch_size": -2}, "--batch-size must be at least 1, got -2"),
        ({"lr": 0.0}, "--lr must be positive, got 0.0"),
        ({"filters": (8, 16)}, "--filters must be 3 positive counts, got [8, 16]"),
        ({"filters": (8, 0, 16)}, "--filters must be 3 positive counts, got [8, 0, 16]"),
        ({"seed": -1}, "--seed must be non-negative, got -1"),
        ({"words": ()}, "--words is empty"),
        ({"workers": 0}, "--workers must be at least 1, got 0"),
        ({"classifier": "rnn"}, "--classifier: unknown 'rnn'; choose from auto, temporal, image"),
        ({"lr_schedule": "step"}, "--lr-schedule: unknown 'step'; choose from cosine, constant"),
        ({"min_steps": 0}, "--min-steps must be at least 1, got 0"),
        ({"seeds": 0}, "--seeds must be at least 1, got 0"),
        ({"crop_frames": -1}, "--crop-frames must be from 0 to 16, got -1"),
        ({"crop_frames": 17}, "--crop-frames must be from 0 to 16, got 17"),
        ({"time_shift_ms": -1.0}, "--time-shift-ms must be from 0 to below 500 (half a clip), got -1.0"),
        ({"train_per_word": ()}, "--train-per-word is empty"),
        ({"train_per_word": (3, 0)}, "--train-per-word: clips per word must be at least 1, got 0"),
        ({"train_per_word": (3, None, 3)}, "--train-per-word: a budget is given twice"),
        ({"test_snr": (10.0, 10.0)}, "--test-snr: an SNR is given twice"),
        ({"test_snr": (200.0,)}, "--test-snr: SNRs must be from -60 to 100 dB, got [200.0]"),
    ],
)
def test_bad_settings_are_refused(changes, message):
    with pytest.raises(KwsConfigError) as error:
        KwsConfig(Path("sc"), **changes)
    assert str(error.value) == message


def test_output_dir_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "kws").write_text("")
    with pytest.raises(KwsConfigError, match="exists and is not a folder"):
        KwsConfig(Path("sc"), output_dir=tmp_path / "kws")


def test_a_recipe_sets_every_training_setting_and_flags_override_it():
    reference = KwsConfig.from_recipe("reference", speech_commands_dir=Path("sc"))
    assert (
        reference.classifier,
        reference.input_norm,
        reference.epochs,
        reference.batch_size,
        reference.lr,
        reference.lr_schedule,
        reference.filters,
        reference.time_shift_ms,
        reference.crop_frames,
        reference.min_steps,
    ) == ("image", False, 25, 64, 1e-3, "constant", (32, 64, 128), 0.0, 0, 1)
    assert reference.recipe == "reference"
    tuned = KwsConfig.from_recipe("reference", speech_commands_dir=Path("sc"), epochs=8, lr=None)
    assert tuned.epochs == 8 and tuned.lr == 1e-3
    default = KwsConfig.from_recipe(speech_commands_dir=Path("sc"))
    assert default == KwsConfig(Path("sc"))
    assert {name: getattr(default, name) for name in RECIPES["default"]} == RECIPES["default"]
    assert default.max_shift_samples == 1600
    with pytest.raises(KwsConfigError, match="--recipe: unknown 'fast'; choose from default, reference"):
        KwsConfig.from_recipe("fast", speech_commands_dir=Path("sc"))


def test_auto_gives_log_mel_the_image_cnn_and_the_encoders_the_temporal_one():
    auto = KwsConfig(Path("sc"))
    assert auto.classifier == "auto"
    assert {name: auto.classifier_for(ROWS[name]) for name in ("logmel", "random", "random_ft", "cpc", "cpc_ft")} == {
        "logmel": "image",
        "random": "temporal",
        "random_ft": "temporal",
        "cpc": "temporal",
        "cpc_ft": "temporal",
    }
    for kind in ("temporal", "image"):
        fixed = KwsConfig(Path("sc"), classifier=kind)
        assert {fixed.classifier_for(row) for row in ROWS.values()} == {kind}


def test_seeds_count_up_from_the_first():
    assert KwsConfig(Path("sc"), seed=7, seeds=3).run_seeds == (7, 8, 9)
