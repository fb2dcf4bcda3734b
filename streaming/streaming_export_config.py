"""Settings of a streaming export."""

import dataclasses
import pathlib

from models.cpc_model_file import FEATURES
from models.streaming_error import StreamingError


@dataclasses.dataclass(frozen=True)
class StreamingExportConfig:
    """What to export and where.

    Attributes:
        model: The trained model file: `gar.keras` (encoder + GRU) or `genc.h5` /
            `genc.keras` (encoder alone).
        output_dir: Folder receiving `saved_model/`, `streaming.tflite` and
            `streaming.json`; created if missing, earlier exports replaced.
        features: "c" (GRU context) or "z" (encoder output); None for the model's
            default, c when it has a GRU.
        tflite: Also write the TFLite file.
        tflite_chunk: Samples per chunk of the TFLite file, for runtimes and delegates
            that want static shapes; None accepts chunks of any length.
    """

    model: pathlib.Path
    output_dir: pathlib.Path
    features: str | None = None
    tflite: bool = True
    tflite_chunk: int | None = None

    def __post_init__(self):
        object.__setattr__(self, "model", pathlib.Path(self.model))
        object.__setattr__(self, "output_dir", pathlib.Path(self.output_dir))
        if self.features is not None and self.features not in FEATURES:
            raise StreamingError(f"features must be one of {', '.join(FEATURES)}, got {self.features!r}")
        if self.tflite_chunk is not None and (isinstance(self.tflite_chunk, bool) or self.tflite_chunk < 1):
            raise StreamingError(f"the TFLite chunk must be a positive number of samples, got {self.tflite_chunk!r}")
        if self.output_dir.exists() and not self.output_dir.is_dir():
            raise StreamingError(f"{self.output_dir}: exists and is not a folder")
