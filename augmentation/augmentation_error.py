"""The error raised for an augmentation that cannot be set up."""

from cli.user_error import UserError


class AugmentationError(UserError):
    """A bad ``--augment`` text or noise folder, described in one line."""
