"""The error raised for unusable keyword-spotting settings or encoder files."""


class KwsConfigError(ValueError):
    """A user-facing problem with a flag or a file it names, described in one line."""
