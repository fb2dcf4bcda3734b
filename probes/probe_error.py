"""The base of the errors a probe run reports to the user in one line."""

from cli.user_error import UserError


class ProbeError(UserError):
    """A user-facing problem with probe inputs or settings, described in one line.

    The message names the file, flag or utterance and the problem, so that the command line
    prints it as is and exits with status 2. Each module raises its own subclass.
    """
