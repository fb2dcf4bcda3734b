"""Settings of a streaming export."""

import dataclasses
import pathlib

from models.cpc_model_file import FEATURES
from models.streaming_error import StreamingError

QUANTIZATIONS = (None, "int8")
# Lowest mean frame cosine similarity of the int8 features to the float ones that passes the
# export's check; int8 weights gave 0.9999 on the seed encoder, so this catches a broken file only.
INT8_MIN_COSINE = 0.99


@dataclasses.dataclass(frozen=True)
class StreamingExportConfig:
    """What to export and where.

    Attributes:
        model: The trained model file: `gar.keras` (encoder + GRU) or `genc.h5` /
            `genc.keras` (encoder alone).
        output_dir: Folder receiving `saved_model/`, `streaming.tflite`,
            `streaming_int8.tflite` and `streaming.json`; created if missing, earlier exports replaced.
        features: "c" (GRU context) or "z" (encoder output); None for the model's
            default, c when it has a GRU.
        tflite: Also write the TFLite file.
        tflite_chunk: Samples per chunk of the TFLite file, for runtimes and delegates
            that want static shapes; None accepts chunks of any length.
        quantize: "int8" also writes `streaming_int8.tflite` (int8 weights, float32
            activations and state); None writes the float file alone.
        representative_dir: FLAC or WAV files (16 kHz mono) to check the int8 file on;
            None synthesizes demo speech instead.
    """

    model: pathlib.Path
    output_dir: pathlib.Path
    features: str | None = None
    tflite: bool = True
    tflite_chunk: int | None = None
    quantize: str | None = None
    representative_dir: pathlib.Path | None = None

    def __post_init__(self):
        object.__setattr__(self, "model", pathlib.Path(self.model))
        object.__setattr__(self, "output_dir", pathlib.Path(self.output_dir))
        if self.features is not None and self.features not in FEATURES:
            raise StreamingError(f"features must be one of {', '.join(FEATURES)}, got {self.features!r}")
        if self.tflite_chunk is not None and (isinstance(self.tflite_chunk, bool) or self.tflite_chunk < 1):
            raise StreamingError(f"the TFLite chunk must be a positive number of samples, got {self.tflite_chunk!r}")
        if self.quantize not in QUANTIZATIONS:
            raise StreamingError(f"quantize must be int8 or None, got {self.quantize!r}")
        if self.quantize and not self.tflite:
            raise StreamingError("--quantize writes a TFLite file, which --no-tflite turns off")
        if self.representative_dir is not None:
            if not self.quantize:
                raise StreamingError("--representative-dir is for --quantize int8")
            object.__setattr__(self, "representative_dir", pathlib.Path(self.representative_dir))
            if not self.representative_dir.is_dir():
                raise StreamingError(f"{self.representative_dir}: no such folder")
        if self.output_dir.exists() and not self.output_dir.is_dir():
            raise StreamingError(f"{self.output_dir}: exists and is not a folder")
