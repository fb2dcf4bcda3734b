from pathlib import Path

import pytest

from kws_eval.kws_config import DEFAULT_ROWS, KwsConfig
from kws_eval.kws_config_error import KwsConfigError


def test_defaults_are_the_reference_table():
    config = KwsConfig(Path("sc"))
    assert config.rows == DEFAULT_ROWS == ("logmel", "random", "random_ft", "cpc", "cpc_ft")
    assert config.needs_encoder
    assert not KwsConfig(Path("sc"), rows=("logmel",)).needs_encoder
    assert KwsConfig(Path("sc"), rows=("logmel", "random")).needs_encoder


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"rows": ()}, "--rows is empty"),
        (
            {"rows": ("logmel", "mfcc")},
            "--rows: unknown row 'mfcc'; the rows are logmel, random, random_ft, cpc, cpc_ft",
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
