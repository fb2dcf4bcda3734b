"""What one feature extraction run did, and how fast."""

import dataclasses
import pathlib


@dataclasses.dataclass(frozen=True)
class ExtractionSummary:
    """Counts and timing of an extraction run.

    Attributes:
        output_dir: Where the `.npy` files went.
        files: Audio files processed (one `.npy` each).
        frames: Feature frames written, all files together.
        features: "z" or "c".
        dim: Size of one feature frame.
        hop: Samples between two feature frames.
        audio_seconds: Audio processed, in seconds at 16 kHz.
        wall_seconds: Wall-clock time from the first read to the last write.
    """

    output_dir: pathlib.Path
    files: int
    frames: int
    features: str
    dim: int
    hop: int
    audio_seconds: float
    wall_seconds: float

    @property
    def real_time_factor(self) -> float:
        """Audio seconds processed per wall-clock second."""
        return self.audio_seconds / max(self.wall_seconds, 1e-9)

    def record(self) -> dict:
        """The counts and timing, JSON-ready, as ``run.json`` keeps them under ``extra.extraction``."""
        return {
            "files": self.files,
            "frames": self.frames,
            "features": self.features,
            "dim": self.dim,
            "hop": self.hop,
            "audio_seconds": round(self.audio_seconds, 3),
            "wall_seconds": round(self.wall_seconds, 3),
            "real_time_factor": round(self.real_time_factor, 1),
        }

    def report(self) -> str:
        """One line for the end of a run."""
        return (
            f"{self.files} files, {self.audio_seconds / 3600:.3f} h of audio → {self.frames} {self.features} frames "
            f"of {self.dim} in {self.output_dir}; {self.wall_seconds:.1f} s wall, "
            f"real-time factor {self.real_time_factor:.0f}x (audio seconds per wall second)"
        )
