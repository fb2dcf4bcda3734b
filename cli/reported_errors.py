"""Running a command's body so that a user error ends it with one line and exit status 2."""

import sys
from collections.abc import Callable

from cli.error_lines import os_error_line
from cli.user_error import UserError


def run_reporting_errors(body: Callable[[], int]) -> int:
    """Runs ``body`` and turns a `UserError` or `OSError` into ``error: <one line>`` on stderr.

    Args:
        body: The command's work; returns its exit status.

    Returns:
        ``body``'s exit status, or 2 when it raised a user error or a failed file operation.
    """
    try:
        return body()
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
    except OSError as error:
        print(f"error: {os_error_line(error)}", file=sys.stderr)
    return 2
