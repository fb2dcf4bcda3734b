"""The error of a PyTorch environment that cannot be made."""

from cli.user_error import UserError


class TorchEnvironmentError(UserError):
    """No Python 3.11 to create ``.venv-torch/`` with, or its installation failed."""
