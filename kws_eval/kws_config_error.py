"""The error raised for unusable keyword-spotting settings."""

from cli.user_error import UserError


class KwsConfigError(UserError):
    """A user-facing problem with a flag or a file it names, described in one line."""
