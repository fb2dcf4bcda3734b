"""One audio file to extract features from."""

import dataclasses
import pathlib


@dataclasses.dataclass(frozen=True)
class AudioSource:
    """An audio file, where its features go and its length.

    Attributes:
        path: The audio file.
        output: The `.npy` file its features are written to.
        samples: Its length in samples, from its header.
    """

    path: pathlib.Path
    output: pathlib.Path
    samples: int
