"""The error raised for bad streaming requests: chunks, states and export settings."""


class StreamingError(ValueError):
    """A user-facing streaming problem (bad chunk, bad state, bad export setting), in one line."""
