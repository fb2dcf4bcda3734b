"""Errors of run records and trackers, each described in one line."""

from cli.user_error import UserError


class TrackingError(UserError):
    """A run record or tracker that cannot be used as asked, described in one line."""


class MissingTrackerPackageError(TrackingError):
    """The optional package a tracker needs is not installed; the message names its requirements file."""
