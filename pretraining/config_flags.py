"""``train.py``'s settings flags, derived from the fields of `PretrainingConfig`, and ``--config``.

Every setting has one flag (``config_setting.flag_name``), in an argument group per settings
group, whose help and default are the field's. The flags have no argparse default: a
namespace holds only the flags given, so they can override a settings file. The settings are
``--config``'s file, or the defaults without it, with every flag given replacing its field.
"""

import argparse
import dataclasses
import pathlib

from pretraining.config_file import read_config
from pretraining.config_setting import flag_name, shown_default, value_type
from pretraining.pretraining_config import PretrainingConfig

CONFIG_DEST = "config"


def add_config_arguments(parser: argparse.ArgumentParser) -> None:
    """Adds ``--config`` and a flag for every setting, grouped as `PretrainingConfig` is."""
    parser.add_argument(
        "--config",
        dest=CONFIG_DEST,
        type=pathlib.Path,
        default=None,
        metavar="CONFIG_JSON",
        help="the settings of a run's config.json (or a file of the same shape holding some of them): repeats "
        "the run; a flag given beside it overrides its setting",
    )
    for group in PretrainingConfig.groups():
        arguments = parser.add_argument_group(group.metadata["title"])
        for field in dataclasses.fields(group.default_factory):
            arguments.add_argument(flag_name(field), dest=field.name, default=argparse.SUPPRESS, **_flag_options(field))


def config_from_args(args: argparse.Namespace) -> PretrainingConfig:
    """The settings of ``--config`` (the defaults without it) with every flag given overriding its field.

    Raises:
        ConfigFileError: ``--config`` names a file that cannot be read as settings.
    """
    config_path = getattr(args, CONFIG_DEST)
    config = PretrainingConfig() if config_path is None else read_config(config_path)
    given = {
        field.name: getattr(args, field.name)
        for group in PretrainingConfig.groups()
        for field in dataclasses.fields(group.default_factory)
        if hasattr(args, field.name)
    }
    return config.replace(**given)


def _flag_options(field: dataclasses.Field) -> dict:
    """``add_argument`` keywords of a field's flag: action or type, help with the default, and its own extras."""
    kind, help_text = value_type(field), field.metadata["help"].replace("%", "%%")
    if kind is bool:
        if field.default:
            return {"action": "store_false", "help": f"do not {help_text}"}
        return {"action": "store_true", "help": help_text}
    if field.default is not None:
        help_text += f" (default: {shown_default(field.default)})"
    return {"type": _int_list if kind is tuple else kind, "help": help_text, **field.metadata["flag"]}


def _int_list(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None
