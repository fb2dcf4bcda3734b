"""Pretraining settings as JSON: the groups of ``config.json``, written by a run and read by ``train.py --config``.

The document holds one object per group (``data``, ``model``, ``loss``, ``optimisation``,
``runtime``) of ``setting: value``; paths are strings, tuples lists. Besides them,
``config.json`` holds ``resolved`` (what the settings implied), which a reader skips: it
follows from the rest. A group or setting left out takes its default.
"""

import dataclasses
import json
import pathlib

from pretraining.config_file_error import ConfigFileError
from pretraining.config_setting import allows_none, value_type
from pretraining.pretraining_config import PretrainingConfig

RESOLVED_KEY = "resolved"
"""Key of ``config.json`` holding what the settings resolved to (``run_settings``)."""


def config_to_json(config: PretrainingConfig) -> dict:
    """The settings as JSON values, one object per group."""
    return {group.name: json_fields(getattr(config, group.name)) for group in PretrainingConfig.groups()}


def json_fields(settings) -> dict:
    """A flat dataclass's fields as JSON values: paths as strings, tuples as lists (as read back)."""

    def plain(value):
        if isinstance(value, pathlib.Path):
            return str(value)
        return list(value) if isinstance(value, tuple) else value

    return {field.name: plain(getattr(settings, field.name)) for field in dataclasses.fields(settings)}


def read_config(path: pathlib.Path) -> PretrainingConfig:
    """The settings of a ``config.json`` (or a file of the same shape holding only some of them).

    Raises:
        ConfigFileError: The file is missing or unreadable, not a JSON object, or names an
            unknown group or setting, or a value of the wrong type; one line naming the file.
    """
    try:
        document = json.loads(pathlib.Path(path).read_text())
    except FileNotFoundError:
        raise ConfigFileError(f"--config {path}: no such file") from None
    except OSError as error:
        raise ConfigFileError(f"--config {path}: {error.strerror or error}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ConfigFileError(f"--config {path}: not JSON ({str(error).splitlines()[0]})") from None
    try:
        return config_from_json(document)
    except ValueError as error:
        raise ConfigFileError(f"--config {path}: {error}") from None


def config_from_json(document) -> PretrainingConfig:
    """The settings of a JSON document shaped as ``config_to_json`` writes it.

    Raises:
        ValueError: Something other than an object of groups, an unknown group or setting,
            or a value of the wrong type; the message names it.
    """
    groups = {group.name: group for group in PretrainingConfig.groups()}
    if not isinstance(document, dict):
        raise ValueError(f"not a settings object (a JSON {type(document).__name__} instead)")
    unknown = sorted(set(document) - set(groups) - {RESOLVED_KEY})
    if unknown:
        raise ValueError(f"unknown group {unknown[0]!r} (settings are grouped in {', '.join(groups)})")
    config = {}
    for name, values in document.items():
        if name == RESOLVED_KEY:
            continue
        if not isinstance(values, dict):
            raise ValueError(f"{name}: not an object of settings")
        fields = {field.name: field for field in dataclasses.fields(groups[name].default_factory)}
        unknown = sorted(set(values) - set(fields))
        if unknown:
            raise ValueError(f"{name}: unknown setting {unknown[0]!r}")
        config[name] = groups[name].default_factory(
            **{key: _typed(f"{name}.{key}", fields[key], value) for key, value in values.items()}
        )
    return PretrainingConfig(**config)


def _typed(where: str, field: dataclasses.Field, value):
    """A JSON value as the field's type, checked against its choices.

    Raises:
        ValueError: The value has another type or is not one of the choices.
    """
    if value is None and allows_none(field):
        return None
    kind = value_type(field)
    expected, accepts = _JSON_TYPES[kind]
    if not accepts(value):
        raise ValueError(
            f"{where}: expected {expected}{' or null' if allows_none(field) else ''}, got {json.dumps(value)}"
        )
    choices = field.metadata["flag"].get("choices")
    if choices is not None and value not in choices:
        raise ValueError(f"{where}: must be one of {', '.join(choices)}, got {json.dumps(value)}")
    return kind(value) if kind in (float, pathlib.Path, tuple) else value


def _is_integer(value) -> bool:
    # JSON's true is no number, though Python takes it for 1.
    return isinstance(value, int) and not isinstance(value, bool)


_JSON_TYPES = {
    bool: ("true or false", lambda value: isinstance(value, bool)),
    int: ("an integer", _is_integer),
    float: ("a number", lambda value: _is_integer(value) or isinstance(value, float)),
    str: ("a string", lambda value: isinstance(value, str)),
    pathlib.Path: ("a path string", lambda value: isinstance(value, str)),
    tuple: ("a list of integers", lambda value: isinstance(value, list) and all(map(_is_integer, value))),
}
"""Per field type: what a JSON value must be, in words, and the test of it."""
