"""The error raised for bad extraction input: folders, audio files, settings."""


class ExtractionError(ValueError):
    """A user-facing extraction problem, described in one line naming the file or folder."""
