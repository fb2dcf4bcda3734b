"""The audio files of a ``--noise-dir``, checked before anything reads them."""

import pathlib

import soundfile

from augmentation.augmentation_error import AugmentationError


def noise_files(noise_dir: pathlib.Path | str) -> list[pathlib.Path]:
    """The folder's audio files (any format libsndfile reads), in file-name order.

    Raises:
        AugmentationError: The folder is missing or holds no audio file.
    """
    noise_dir = pathlib.Path(noise_dir)
    if not noise_dir.is_dir():
        raise AugmentationError(f"--noise-dir {noise_dir}: no such folder")
    extensions = {f".{name.lower()}" for name in soundfile.available_formats()}
    paths = sorted(path for path in noise_dir.iterdir() if path.is_file() and path.suffix.lower() in extensions)
    if not paths:
        raise AugmentationError(f"--noise-dir {noise_dir}: holds no audio file")
    return paths
