"""Showing the library's progress messages on a command's standard output."""

import logging
import sys


def show_progress_messages(*packages: str) -> None:
    """Prints the ``INFO`` records of ``packages``' loggers as plain lines on stdout.

    The library reports progress through `logging` and leaves the choice of showing it to
    the caller: a command shows its own packages' messages, a notebook or test sees none
    unless it asks. Other libraries' loggers (TensorFlow's) keep their own levels.

    Args:
        *packages: Top-level package names, e.g. ``"kws_eval"``.
    """
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(message)s"))
    for package in packages:
        logger = logging.getLogger(package)
        logger.setLevel(logging.INFO)
        logger.handlers = [handler]
        logger.propagate = False
