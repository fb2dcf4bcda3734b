"""Fields of the pretraining settings that carry their own documentation and command-line flag.

A field's ``help`` is its one description: the dataclass documents the setting with it and
``train.py -h`` shows it. The flag is derived from the field: ``--`` plus the name with
dashes, its type from the annotation, its default from the field's; a boolean that is off by
default is switched on by its flag, one that is on (``normalize``) off by ``--no-<name>``.
"""

import dataclasses
import types
import typing


def setting(default, help: str, **flag) -> dataclasses.Field:
    """A settings field documented by ``help``.

    Args:
        default: The field's default; immutable (a tuple, not a list).
        help: What the setting does, in the words ``train.py -h`` shows.
        **flag: ``argparse.add_argument`` keywords that the field cannot imply: ``choices``,
            ``metavar``, ``nargs`` with ``const``.

    Returns:
        The field, for a dataclass attribute.
    """
    return dataclasses.field(default=default, metadata={"help": help, "flag": flag})


def value_type(field: dataclasses.Field) -> type:
    """The field's type without ``None``: ``int`` for ``int | None``, ``tuple`` for ``tuple[int, ...]``."""
    annotation = field.type
    if isinstance(annotation, types.UnionType):
        (annotation,) = [member for member in typing.get_args(annotation) if member is not type(None)]
    return typing.get_origin(annotation) or annotation


def allows_none(field: dataclasses.Field) -> bool:
    """Whether None is a valid value, the setting then taking a default chosen elsewhere (the encoder's)."""
    return isinstance(field.type, types.UnionType) and type(None) in typing.get_args(field.type)


def flag_name(field: dataclasses.Field) -> str:
    """The flag setting the field: ``--lr-milestones``; ``--no-normalize`` for a boolean on by default."""
    name = field.name.replace("_", "-")
    return f"--no-{name}" if value_type(field) is bool and field.default else f"--{name}"


def shown_default(value) -> str:
    """A default as a flag would give it: ``10,15,20`` for a tuple."""
    if isinstance(value, tuple):
        return ",".join(map(str, value))
    return str(value)
