"""The error of pretraining settings that cannot work together."""

from cli.user_error import UserError


class PretrainingConfigError(UserError):
    """Settings that cannot work together, described in one line naming the flags."""
