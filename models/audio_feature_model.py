"""Loading a model file as audio ``(batch, samples)`` → features ``(batch, frames, dim)``: the one
contract every evaluation (kws_eval, probes, extract, streaming) reads saved models by."""

import dataclasses
import pathlib
import zipfile

import keras

from cli.error_lines import first_line
from models.frame_geometry import FrameGeometry
from models.model_file_error import ModelFileError


@dataclasses.dataclass(frozen=True)
class AudioFeatureModel:
    """A loaded audio → features model, with the geometry of its frames where it can be read.

    Attributes:
        subject: What error messages call it (the path, or the flag and the path).
        model: Audio ``(batch, samples)`` to features ``(batch, frames, dim)``.
        encoder: The convolutional part of ``model`` whose frames the features sit on: the
            model itself for an encoder (``genc.h5``), the encoder nested in it for an encoder
            followed by a GRU (``gar.keras``, where c_t sits on z_t's frame); None where no
            such part can be read (e.g. a recurrent layer not in a nested encoder).
        geometry: Where ``encoder``'s frames sit in the audio; None with ``encoder``.
    """

    subject: str
    model: keras.Model
    encoder: keras.Model | None
    geometry: FrameGeometry | None

    @property
    def is_encoder(self) -> bool:
        """Whether the model is a convolutional encoder alone (audio → z_t)."""
        return self.encoder is self.model

    @property
    def dim(self) -> int:
        """Features per frame."""
        return int(self.model.outputs[0].shape[-1])

    @classmethod
    def load(
        cls, path: pathlib.Path | str, subject: str | None = None, samples: int | None = None
    ) -> "AudioFeatureModel":
        """Loads a model file (``.h5`` or ``.keras``) in Keras's safe mode and checks its contract.

        Args:
            path: The file, e.g. ``outputs/genc.h5`` or ``outputs/gar.keras``.
            subject: What error messages call it, e.g. ``"--model outputs/gar.keras"``; the
                path if None.
            samples: An input length a model of fixed length may have; None accepts only
                models of any length.

        Returns:
            The `AudioFeatureModel`, uncompiled.

        Raises:
            ModelFileError: The file is missing or not a loadable Keras model, or the model
                does not map audio to features (see `from_model`).
        """
        path = pathlib.Path(path)
        subject = subject or str(path)
        if not path.is_file():
            raise ModelFileError(subject, ModelFileError.MISSING)
        if path.suffix == ".keras" and not zipfile.is_zipfile(path):
            raise ModelFileError(subject, ModelFileError.UNLOADABLE, " (not a .keras zip archive)")
        try:
            model = keras.models.load_model(path, compile=False, safe_mode=True)
        except Exception as error:  # noqa: BLE001  (Keras reports unreadable files with many types)
            raise ModelFileError(subject, ModelFileError.UNLOADABLE, f" ({first_line(error)})") from None
        return cls.from_model(model, subject, samples)

    @classmethod
    def from_model(cls, model: keras.Model, subject: str = "model", samples: int | None = None) -> "AudioFeatureModel":
        """Checks a model already in memory, like `load`.

        Args:
            model: The model, e.g. ``genc_model(spec)`` or ``context_model(encoder, ar)``.
            subject: What error messages call it.
            samples: As for `load`.

        Returns:
            The `AudioFeatureModel`.

        Raises:
            ModelFileError: The model has not one input and one output, or does not map
                ``(batch, samples)`` of any length (or of ``samples``) to ``(batch, frames,
                features)``.
        """
        inputs, outputs = getattr(model, "inputs", None) or [], getattr(model, "outputs", None) or []
        if len(inputs) != 1 or len(outputs) != 1:
            raise ModelFileError(subject, ModelFileError.NOT_AUDIO_TO_FEATURES, " (it needs one input and one output)")
        in_shape, out_shape = tuple(inputs[0].shape), tuple(outputs[0].shape)
        if len(in_shape) != 2 or len(out_shape) != 3 or in_shape[1] not in (None, samples):
            lengths = "of any length" if samples is None else f"with {samples} samples allowed"
            raise ModelFileError(
                subject,
                ModelFileError.NOT_AUDIO_TO_FEATURES,
                f": it maps {_shape(in_shape)} to {_shape(out_shape)}, "
                f"expected (batch, samples) {lengths} to (batch, frames, features)",
            )
        encoder, geometry = _encoder_of(model)
        return cls(subject, model, encoder, geometry)


def _encoder_of(model: keras.Model) -> tuple[keras.Model | None, FrameGeometry | None]:
    """The model if it is a convolutional encoder, else the first nested model that is, with its geometry."""
    for candidate in (model, *(layer for layer in model.layers if isinstance(layer, keras.Model))):
        try:
            return candidate, FrameGeometry.of_encoder(candidate)
        except ModelFileError:
            continue
    return None, None


def _shape(shape: tuple) -> str:
    return "(" + ", ".join("None" if size is None else str(size) for size in shape) + ")"
