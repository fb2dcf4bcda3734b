"""The error raised for an augmentation that cannot be set up."""


class AugmentationError(ValueError):
    """A bad ``--augment`` text or noise folder, described in one line."""
