"""The error raised for a folder that cannot be read as Speech Commands."""

from cli.user_error import UserError


class SpeechCommandsError(UserError):
    """A user-facing problem with a Speech Commands folder, described in one line.

    The message names the folder, file or word and the problem, so that a
    command-line tool can print it as is and exit with status 2.
    """
