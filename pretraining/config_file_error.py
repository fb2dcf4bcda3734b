"""The error of a settings file ``train.py --config`` cannot read."""

from cli.user_error import UserError


class ConfigFileError(UserError):
    """A settings file that is missing, not JSON, or holds an unknown setting or a wrong type; one line naming it."""
