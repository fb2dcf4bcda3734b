"""The error raised for bad extraction input: folders, audio files, settings."""

from cli.user_error import UserError


class ExtractionError(UserError):
    """A user-facing extraction problem, described in one line naming the file or folder."""
