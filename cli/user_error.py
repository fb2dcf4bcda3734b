"""The one base type of every error a user can fix (a bad flag, file, folder or dataset)."""


class UserError(ValueError):
    """A problem with what the user gave, reported by each command as one ``error: ...`` line.

    Every user-facing error type of the toolkit derives from it, so that a command's ``main``
    catches this one type (and `OSError`) and leaves programming errors their traceback.
    """
