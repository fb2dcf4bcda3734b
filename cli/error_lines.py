"""One-line renderings of the exceptions a command reports: no traceback, no library wrapping."""

import re

_DECORATION = re.compile(r"\x1b\[[0-9;]*m|\{\{function_node [^}]*\}\}\s*")


def first_line(error: Exception) -> str:
    """The error's type and most telling line, without Keras's wrapping and terminal colours."""
    text = _DECORATION.sub("", str(error))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    telling = [line for line in lines if not line.startswith("Exception encountered when calling")]
    message = (telling or lines or [""])[0]
    return f"{type(error).__name__}: {message[:200]}" if message else type(error).__name__


def os_error_line(error: OSError) -> str:
    """A failed file operation in one line: the path and the system's reason.

    ``"/data/out/run.json: No space left on device"``; for errors naming two paths (a
    rename), both.
    """
    reason = error.strerror or str(error)
    if error.filename is None:
        return reason
    if error.filename2 is not None:
        return f"{error.filename} -> {error.filename2}: {reason}"
    return f"{error.filename}: {reason}"
