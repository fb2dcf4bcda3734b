"""The error raised for bad corpus input: missing folders, corrupt audio, bad records."""

from cli.user_error import UserError


class CorpusError(UserError):
    """A user-facing problem with corpus data, described in one line.

    The message names the file or folder and the problem, so that a command-line
    tool can print it as is and exit with status 2.
    """
