"""The one error of reading or writing a preset folder."""

from cli.user_error import UserError


class PresetError(UserError):
    """A preset folder is missing a file, holds unreadable or wrong JSON, or a model cannot become one.

    The message names the file or folder, in one line.
    """
