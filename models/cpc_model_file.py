"""A causal CPC model file read as its convolutions and GRU, for batching by end padding and streaming."""

import dataclasses
import pathlib

import keras
import numpy as np

from cli.error_lines import first_line
from models.audio_feature_model import AudioFeatureModel
from models.encoder_forward import encode
from models.encoder_spec import ConvLayerSpec, EncoderSpec, EncoderSpecError
from models.model_file_error import ModelFileError
from models.time_step import time_steps

FEATURES = ("z", "c")
"""Feature kinds: the encoder output z_t and the GRU context c_t."""

_CAUSALITY_TOLERANCE = 1e-4


@dataclasses.dataclass(frozen=True)
class CpcModelFile:
    """A loaded `gar.keras` (encoder + GRU) or `genc.h5` / `genc.keras` (encoder alone).

    Only models whose every frame depends on past samples alone are accepted: a chain of
    `Conv1D` layers ("valid" or "causal"), each optionally after a `ZeroPadding1D` that
    pads on the left only, optionally followed by a `GRU` running forwards. That is what
    `train.py` writes, and what makes batching by end padding and streaming exact.

    Attributes:
        path: What error messages call the file (its path, or the flag and the path).
        model: The loaded model, audio `(batch, samples)` to `(batch, frames, features)`.
        encoder: Its audio to z_t part (the model itself for an encoder file).
        spec: The encoder's convolutions as an `EncoderSpec` (hop, receptive field,
            frames per input length).
        convolutions: The encoder's `Conv1D` layers, input side first.
        activations: The name of each convolution's activation.
        gru: The GRU computing c_t, None for an encoder file.
    """

    path: pathlib.Path
    model: keras.Model
    encoder: keras.Model
    spec: EncoderSpec
    convolutions: tuple[keras.layers.Conv1D, ...]
    activations: tuple[str, ...]
    gru: keras.layers.GRU | None

    @classmethod
    def load(cls, path: pathlib.Path | str) -> "CpcModelFile":
        """Loads a model file (`AudioFeatureModel.load`) and checks that it is a causal CPC model.

        Args:
            path: A `.keras` or `.h5` file written by `train.py` (or of the same form).

        Returns:
            The `CpcModelFile`.

        Raises:
            ModelFileError: The file is missing or not a loadable Keras model, does not map
                audio `(batch, samples)` to `(batch, frames, features)`, holds a layer
                other than those above, or its output is not causal.
        """
        return cls.from_feature_model(AudioFeatureModel.load(path))

    @classmethod
    def from_model(cls, model: keras.Model, path: pathlib.Path | str = "model") -> "CpcModelFile":
        """Reads and checks a model already in memory, like `load`.

        Args:
            model: The model, e.g. `context_model(encoder, ar)` or `genc_model(spec)`.
            path: What error messages call it.

        Returns:
            The `CpcModelFile`.

        Raises:
            ModelFileError: See `load`.
        """
        return cls.from_feature_model(AudioFeatureModel.from_model(model, str(path)))

    @classmethod
    def from_feature_model(cls, feature_model: AudioFeatureModel) -> "CpcModelFile":
        """Reads the causal structure of a loaded audio → features model.

        Raises:
            ModelFileError: See `load`.
        """
        path, model = pathlib.Path(feature_model.subject), feature_model.model
        convolutions, paddings, gru = _read_layers(path, model)
        try:
            spec = EncoderSpec(
                layers=tuple(
                    ConvLayerSpec(
                        int(conv.kernel.shape[1]),
                        conv.filters,
                        conv.kernel_size[0],
                        conv.strides[0],
                        padding,
                        conv.dilation_rate[0],
                    )
                    for conv, padding in zip(convolutions, paddings)
                ),
                dim_z=convolutions[-1].filters,
            )
        except EncoderSpecError as error:
            raise ModelFileError(str(path), "unusable encoder", f" ({error})") from None
        encoder = model if gru is None else feature_model.encoder or _cut_encoder(path, model, convolutions[-1])
        activations = tuple(keras.activations.serialize(conv.activation) for conv in convolutions)
        loaded = cls(path, model, encoder, spec, tuple(convolutions), activations, gru)
        loaded._check_causal()
        return loaded

    def network(self, features: str) -> keras.Model:
        """The model computing `features` ("z" or "c") from audio.

        Raises:
            ModelFileError: "c" was asked of an encoder file, which has no GRU.
        """
        self.check_features(features)
        return self.encoder if features == "z" else self.model

    def check_features(self, features: str) -> None:
        """Raises `ModelFileError` unless this file gives `features` ("z", or "c" with a GRU)."""
        if features not in FEATURES:
            raise ModelFileError(
                str(self.path), f"unknown features {features!r}", f", expected one of {', '.join(FEATURES)}"
            )
        if features == "c" and self.gru is None:
            raise ModelFileError(str(self.path), "an encoder without a GRU gives z only, not c (use features z)")

    def features_of(self, audio, features: str):
        """What `network(features)` computes from `audio`, with the encoder run by `encode`.

        Args:
            audio: float32 `(batch, samples)`.
            features: "z" or "c".

        Returns:
            `(batch, frames, dim(features))`.

        Raises:
            ModelFileError: As `network`.
        """
        self.check_features(features)
        z = encode(self.encoder, audio, training=False)
        return z if features == "z" else self.gru(z, training=False)

    def default_features(self) -> str:
        """ "c" for an encoder + GRU file, "z" for an encoder file."""
        return "z" if self.gru is None else "c"

    def dim(self, features: str) -> int:
        """Size of one feature vector of kind `features`."""
        return self.spec.dim_z if features == "z" else self.gru.units

    def _check_causal(self) -> None:
        # The layer walk cannot see how a functional graph wires its layers; running it
        # proves the frame count and that appended samples leave earlier frames alone.
        spec = self.spec
        length = 3 * spec.receptive_field + 5 * spec.hop + 1
        audio = np.random.default_rng(0).uniform(-1.0, 1.0, (1, length + 3 * spec.hop + 7)).astype(np.float32)
        frames = spec.num_frames(length)
        short, full = (np.asarray(self.model(audio[:, :size])) for size in (length, audio.shape[1]))
        if short.shape[1] != frames or full.shape[1] != spec.num_frames(audio.shape[1]):
            raise ModelFileError(
                str(self.path), f"gives {short.shape[1]} frames for {length} samples where its layers give {frames}"
            )
        scale = max(float(np.abs(short).max()), 1.0)
        if np.abs(full[:, :frames] - short).max() > _CAUSALITY_TOLERANCE * scale:
            raise ModelFileError(str(self.path), "not causal, later samples change earlier frames")


def _read_layers(path, model):
    """The convolutions, the left padding before each and the GRU, input side first."""
    convolutions, paddings, gru, pending = [], [], None, 0
    for step in time_steps(model):
        layer = step.layer
        where = f"layer {layer.name!r} ({type(layer).__name__})"
        if gru is not None:
            raise ModelFileError(str(path), f"{where} follows the GRU; only a GRU may end the model")
        if isinstance(layer, keras.layers.Reshape) and not convolutions and tuple(layer.target_shape) == (-1, 1):
            continue
        if isinstance(layer, keras.layers.ZeroPadding1D):
            if step.right:
                raise ModelFileError(str(path), f"{where} pads on the right, so frames depend on future samples")
            pending += step.left
        elif type(layer) is keras.layers.Conv1D:
            if layer.padding not in ("valid", "causal") or layer.groups != 1 or layer.data_format != "channels_last":
                raise ModelFileError(
                    str(path),
                    f"{where}: only 'valid' or 'causal' padding, one group and channels_last are causal and supported",
                )
            convolutions.append(layer)
            paddings.append(pending + step.left)
            pending = 0
        elif type(layer) is keras.layers.GRU and convolutions and not pending:
            if not layer.return_sequences or layer.go_backwards:
                raise ModelFileError(str(path), f"{where} must return sequences and run forwards")
            gru = layer
        else:
            raise ModelFileError(
                str(path),
                f"{where} is not supported: expected causal Conv1D layers (each optionally after a left "
                "ZeroPadding1D), optionally followed by a GRU",
            )
    if not convolutions:
        raise ModelFileError(str(path), "has no Conv1D layer, so it is not a CPC encoder")
    if pending:
        raise ModelFileError(str(path), "ends with a ZeroPadding1D that no convolution follows")
    return convolutions, paddings, gru


def _cut_encoder(path, model, last_convolution):
    """The audio → z part of an encoder + GRU model that nests no encoder model."""
    try:
        return keras.Model(model.inputs, last_convolution.output, name="genc")
    except Exception as error:  # noqa: BLE001  (Keras rejects graphs it cannot cut with many types)
        raise ModelFileError(str(path), "cannot take the encoder out of the model", f" ({first_line(error)})") from None
