"""The virtual environment the PyTorch reference runs in, ``.venv-torch/`` beside the toolkit's."""

import pathlib
import shutil
import subprocess
import sys

from bench.pytorch_cpc.torch_environment_error import TorchEnvironmentError

REPO = pathlib.Path(__file__).resolve().parents[2]
INTERPRETER = "python3.11"
"""The Python the environment is created with: the toolkit's version, for which torch's pinned wheel exists."""


def torch_python(
    venv: pathlib.Path = REPO / ".venv-torch", requirements: pathlib.Path = REPO / "requirements-bench-torch.txt"
) -> pathlib.Path:
    """The Python of ``venv`` with ``requirements`` installed, creating or updating it first.

    As the Makefile's ``.installed`` stamp: the requirements are installed again when their
    file is newer than the stamp, so a changed pin takes effect on the next run. Progress
    goes to stderr, pip's output included, leaving stdout to the caller's results.

    Args:
        venv: Folder of the virtual environment.
        requirements: The pip requirements file to install.

    Returns:
        The path of the environment's ``python``.

    Raises:
        TorchEnvironmentError: No ``python3.11`` on the PATH, or venv or pip failed.
    """
    python = venv / "bin" / "python"
    stamp = venv / ".installed"
    if stamp.exists() and stamp.stat().st_mtime >= requirements.stat().st_mtime:
        return python
    if not python.exists():
        interpreter = shutil.which(INTERPRETER)
        if interpreter is None:
            raise TorchEnvironmentError(f"the PyTorch reference needs {INTERPRETER} on the PATH to create {venv}")
        print(f"creating {venv} with {interpreter}", file=sys.stderr)
        _run([interpreter, "-m", "venv", str(venv)], f"{INTERPRETER} -m venv {venv}")
    print(f"installing {requirements.name} into {venv} (CPU torch, about 200 MB)", file=sys.stderr)
    _run([str(python), "-m", "pip", "install", "--quiet", "-r", str(requirements)], f"pip install -r {requirements}")
    stamp.touch()
    print(f"{venv} is ready", file=sys.stderr)
    return python


def _run(command: list[str], what: str) -> None:
    try:
        subprocess.run(command, check=True, stdout=sys.stderr)
    except subprocess.CalledProcessError as error:
        raise TorchEnvironmentError(f"{what} failed with exit status {error.returncode}") from None
