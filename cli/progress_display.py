"""How progress is shown: live on a terminal, sparse plain lines when output goes to a file.

A command run under ``nohup``, in CI or with its output piped into a log should leave a log a
person can read: Keras then writes one line per epoch instead of a redrawn bar with terminal
codes, and tqdm redraws its bar seldom.
"""

import sys

_REDIRECTED_BAR_INTERVAL_SECONDS = 30.0
"""Seconds between two redraws of a tqdm bar written to a file rather than a terminal."""


def keras_verbosity(verbose: int | str = "auto") -> int | str:
    """Keras ``fit`` verbosity: ``"auto"`` becomes a live bar (1) on a terminal, one line per epoch (2) otherwise.

    Args:
        verbose: ``"auto"``, or a Keras verbosity (0, 1, 2) kept as it is.
    """
    if verbose != "auto":
        return verbose
    return 1 if _is_terminal(sys.stdout) else 2


def progress_bar_options() -> dict:
    """``tqdm`` keyword arguments for this process's stderr: the defaults on a terminal, rare redraws otherwise."""
    return {} if _is_terminal(sys.stderr) else {"mininterval": _REDIRECTED_BAR_INTERVAL_SECONDS}


def _is_terminal(stream) -> bool:
    return bool(getattr(stream, "isatty", None)) and stream.isatty()
