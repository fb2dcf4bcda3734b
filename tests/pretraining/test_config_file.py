"""config.json and ``train.py --config``: every setting round-trips, flags given override, bad files are one line."""

import dataclasses
import json
import pathlib
import subprocess
import sys

import pytest

import train
from pretraining.config_file import config_from_json, config_to_json, read_config
from pretraining.config_file_error import ConfigFileError
from pretraining.config_flags import config_from_args
from pretraining.config_setting import flag_name, value_type
from pretraining.pretraining_config import PretrainingConfig

REPO = pathlib.Path(__file__).resolve().parents[2]


def _settings_fields():
    return [field for group in PretrainingConfig.groups() for field in dataclasses.fields(group.default_factory)]


def _other_value(field: dataclasses.Field):
    """A valid value of the field that is not its default, so a lost field fails the round trip."""
    choices = field.metadata["flag"].get("choices")
    if choices:
        return next(choice for choice in choices if choice != field.default)
    return {
        bool: not field.default,
        int: 7,
        float: 0.25,
        str: "text",
        pathlib.Path: pathlib.Path("/some/folder"),
        tuple: (2, 4),
    }[value_type(field)]


def _every_field_changed() -> PretrainingConfig:
    return PretrainingConfig().replace(**{field.name: _other_value(field) for field in _settings_fields()})


def test_every_setting_round_trips_through_a_json_file(tmp_path):
    config = _every_field_changed()
    assert all(
        getattr(getattr(config, group.name), field.name) != field.default
        for group in PretrainingConfig.groups()
        for field in dataclasses.fields(group.default_factory)
    )
    path = tmp_path / "config.json"
    path.write_text(json.dumps({**config_to_json(config), "resolved": {"hop": 256}}))
    assert read_config(path) == config


def test_settings_are_grouped_and_each_names_one_documented_flag():
    assert [group.name for group in PretrainingConfig.groups()] == ["data", "model", "loss", "optimisation", "runtime"]
    names = [field.name for field in _settings_fields()]
    assert len(names) == len(set(names)) == 35
    assert all(field.metadata["help"] for field in _settings_fields())
    flags = {field.name: flag_name(field) for field in _settings_fields()}
    assert (flags["lr_milestones"], flags["normalize"], flags["mixed_precision"]) == (
        "--lr-milestones",
        "--no-normalize",
        "--mixed-precision",
    )


def test_flags_alone_start_from_the_defaults():
    assert config_from_args(train.parse_args([])) == PretrainingConfig()
    config = config_from_args(
        train.parse_args(["--lr-milestones", "3,5", "--no-normalize", "--augment", "--ar", "lstm"])
    )
    assert config == PretrainingConfig().replace(lr_milestones=(3, 5), normalize=False, augment="default", ar="lstm")


def test_a_flag_given_beside_config_overrides_that_setting_only(tmp_path):
    saved = PretrainingConfig().replace(lr=0.01, epochs=3, window=8192, restart=True, data_dir=pathlib.Path("/data"))
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config_to_json(saved)))
    args = train.parse_args(["--config", str(path), "--epochs", "5", "--output-dir", "elsewhere", "--mlflow"])
    assert config_from_args(args) == saved.replace(epochs=5, output_dir=pathlib.Path("elsewhere"))
    # A flag given with its default value still overrides.
    assert config_from_args(train.parse_args(["--config", str(path), "--lr", "0.001"])).optimisation.lr == 0.001


def test_a_partial_file_takes_the_defaults_for_the_rest():
    assert config_from_json({"model": {"encoder": "paper"}}) == PretrainingConfig().replace(encoder="paper")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("{not json", "not JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1))"),
        ("[1, 2]", "not a settings object (a JSON list instead)"),
        ('{"epochs": 3}', "unknown group 'epochs' (settings are grouped in data, model, loss, optimisation, runtime)"),
        ('{"data": {"windows": 3}}', "data: unknown setting 'windows'"),
        ('{"data": 3}', "data: not an object of settings"),
        ('{"data": {"window": "long"}}', 'data.window: expected an integer, got "long"'),
        ('{"data": {"window": 2.5}}', "data.window: expected an integer, got 2.5"),
        ('{"loss": {"t_skip": true}}', "loss.t_skip: expected an integer, got true"),
        ('{"loss": {"num_neg": "many"}}', 'loss.num_neg: expected an integer or null, got "many"'),
        (
            '{"optimisation": {"lr_milestones": "10,15"}}',
            'optimisation.lr_milestones: expected a list of integers, got "10,15"',
        ),
        ('{"runtime": {"restart": 1}}', "runtime.restart: expected true or false, got 1"),
        ('{"model": {"ar": "rnn"}}', 'model.ar: must be one of gru, lstm, got "rnn"'),
    ],
)
def test_a_bad_config_file_is_one_line_naming_it_with_exit_status_2(tmp_path, content, message):
    path = tmp_path / "config.json"
    if content is not None:
        path.write_text(content)
    result = subprocess.run(
        [sys.executable, "train.py", "--config", str(path)], cwd=REPO, capture_output=True, text=True
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"error: --config {path}: {message}\n"


def test_read_config_raises_the_user_error():
    with pytest.raises(ConfigFileError, match=r"^--config missing\.json: no such file$"):
        read_config(pathlib.Path("missing.json"))
