"""The error raised for bad streaming requests: chunks, states and export settings."""

from cli.user_error import UserError


class StreamingError(UserError):
    """A user-facing streaming problem (bad chunk, bad state, bad export setting), in one line."""
