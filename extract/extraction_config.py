"""Settings of one feature extraction run."""

import dataclasses
import pathlib

from extract.extraction_error import ExtractionError
from models.cpc_model_file import FEATURES


@dataclasses.dataclass(frozen=True)
class ExtractionConfig:
    """What to extract, from where, to where.

    Attributes:
        audio_dir: Folder searched recursively for audio files (16 kHz mono).
        output_dir: Folder receiving one `.npy` per audio file, at the same relative
            path with the suffix replaced; created if missing.
        model: `gar.keras` (encoder + GRU) or `genc.h5` / `genc.keras` (encoder alone).
        features: "c" (GRU context) or "z" (encoder output); None for the model's
            default, c when it has a GRU.
        batch_size: Most files run through the model at once: on 2 cores 16 gave 1.2x
            (z) to 1.5x (c) the speed of 4 (`bench/extract.py`).
        max_batch_seconds: Most padded audio per batch, in seconds, which bounds memory:
            the first convolution's output alone takes `channels / stride * 4` bytes per
            sample (128 MB for the seed encoder, 0.8 GB for the paper's, per 120 s).
        extensions: File name endings searched for, without the dot, any case.
        show_progress: Show a progress bar on stderr.
        layers: Write every layer's output (each convolution block, z, c) as one `.npz` per file,
            with `layers.json` describing them, instead of one kind of features as `.npy`.
    """

    audio_dir: pathlib.Path
    output_dir: pathlib.Path
    model: pathlib.Path
    features: str | None = None
    batch_size: int = 16
    max_batch_seconds: float = 120.0
    extensions: tuple[str, ...] = ("flac", "wav")
    show_progress: bool = True
    layers: bool = False

    def __post_init__(self):
        for name in ("audio_dir", "output_dir", "model"):
            object.__setattr__(self, name, pathlib.Path(getattr(self, name)).expanduser())
        extensions = tuple(extension.strip().lstrip(".").lower() for extension in self.extensions)
        object.__setattr__(self, "extensions", tuple(extension for extension in extensions if extension))
        if self.features is not None and self.features not in FEATURES:
            raise ExtractionError(f"features must be one of {', '.join(FEATURES)}, got {self.features!r}")
        if isinstance(self.batch_size, bool) or not isinstance(self.batch_size, int) or self.batch_size < 1:
            raise ExtractionError(f"the batch size must be a positive integer, got {self.batch_size!r}")
        if not self.max_batch_seconds > 0:
            raise ExtractionError(f"the batch duration must be positive, got {self.max_batch_seconds!r} s")
        if not self.extensions:
            raise ExtractionError("no audio file extension given")
