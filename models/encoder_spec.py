"""Geometry of the convolutional CPC encoder and its `conv_dims` YAML format.

A spec file is a YAML mapping with one required key, `conv_dims`: one row
`[in_channels, out_channels, kernel_size, stride, padding, dilation]` per
convolution, followed by the output dimension (dim_z) as the last item:

```yaml
conv_dims:
  - [1, 512, 10, 5, 5, 1]
  - [512, 512, 8, 4, 4, 1]
  - 512
norm: channel    # optional: "none" (default) or "channel", a LayerNormalization over
                 # the channels of every frame after every convolution
activate_last: true  # optional: ReLU after the last convolution too (default false)
dim_c: 256       # optional: context size suggested with this encoder
pred_steps: 12   # optional: prediction steps suggested with this encoder
```

The other optional keys suggest the rest of the training model, each taken when the user
gives none: `ar` ("gru" or "lstm"), `ar_layers`, `predictor` ("linear" or "transformer"),
`predictor_dropout`, `num_neg` and `negatives` ("sequence", "batch" or "speaker").

Padding semantics: the encoder is causal by construction. `padding` is the
number of zeros added on the LEFT of that layer's input only, never on the
right, so a frame never depends on a sample after its last input sample.
With padding = kernel - stride (and dilation 1) on every layer, frame `j`
covers the samples ending at `(j + 1) * hop - 1` and a `T`-sample input gives
exactly `T // hop` frames; both presets follow this rule.
"""

import dataclasses
import math
from pathlib import Path

import yaml

from cli.user_error import UserError
from losses.negative_modes import NEGATIVE_MODES

PRESETS_DIR = Path(__file__).resolve().parent / "presets"
PRESET_NAMES = ("seed", "paper", "modified", "modified-small")
DEFAULT_DIM_C = 40
DEFAULT_PRED_STEPS = 10
NORM_MODES = ("none", "channel")
AR_CELLS = ("gru", "lstm")
PREDICTORS = ("linear", "transformer")
MAX_HOP = 16000
"""Largest product of the strides: one frame per second of 16 kHz audio."""

_ROW_FIELDS = ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation")
_OPTIONAL_KEYS = {
    "norm": "norm",
    "activate_last": "activate_last",
    "dim_c": "default_dim_c",
    "pred_steps": "default_pred_steps",
    "ar": "default_ar",
    "ar_layers": "default_ar_layers",
    "predictor": "default_predictor",
    "predictor_dropout": "default_predictor_dropout",
    "num_neg": "default_num_neg",
    "negatives": "default_negatives",
}


class EncoderSpecError(UserError):
    """An encoder spec (YAML file, preset name or dataclass) is unusable."""


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _key(field_name):
    """The YAML key of an `EncoderSpec` field, as error messages name it."""
    return field_name.removeprefix("default_")


@dataclasses.dataclass(frozen=True)
class ConvLayerSpec:
    """One causal `Conv1D` layer of the encoder.

    Attributes:
        in_channels: Channels of the layer input (1 for the first layer, the
            raw waveform).
        out_channels: Number of filters.
        kernel_size: Kernel width in input frames.
        stride: Stride in input frames.
        padding: Zeros added on the left of the input only (causal padding).
        dilation: Dilation rate; Keras Conv1D refuses dilation > 1 together
            with stride > 1.
    """

    in_channels: int
    out_channels: int
    kernel_size: int
    stride: int
    padding: int
    dilation: int = 1

    def __post_init__(self):
        for field in _ROW_FIELDS:
            value = getattr(self, field)
            lowest = 0 if field == "padding" else 1
            if not _is_int(value) or value < lowest:
                kind = "a non-negative" if lowest == 0 else "a positive"
                raise EncoderSpecError(f"{field} must be {kind} integer, got {value!r}")
        if self.stride > 1 and self.dilation > 1:
            raise EncoderSpecError(
                f"stride {self.stride} together with dilation {self.dilation} is not supported by Keras Conv1D"
            )


@dataclasses.dataclass(frozen=True)
class EncoderSpec:
    """A stack of causal convolutions mapping samples to `dim_z`-dim frames.

    Attributes:
        layers: The convolutions, input side first. The first takes 1
            channel, each takes the previous one's output channels and the
            last outputs `dim_z` channels.
        dim_z: Dimension of the encoder output z_t.
        norm: "none", or "channel": every convolution is followed by a
            `LayerNormalization` over the channels of each frame (modified
            CPC's channel norm). It uses no batch statistics, so the encoder
            stays causal and behaves the same in training and inference.
        activate_last: Whether the last convolution is followed by a ReLU
            (and its norm) like the others; modified CPC does so.
        default_dim_c: Context size suggested with this encoder (used by the
            training script when the user gives none), as the defaults below.
        default_pred_steps: Number of predicted future frames suggested.
        default_ar: Recurrent cell of g_ar suggested, "gru" or "lstm".
        default_ar_layers: Stacked recurrent layers suggested.
        default_predictor: Prediction network suggested, "linear" (one
            affine map per step) or "transformer" (a causal self-attention
            layer over c, then one head per step).
        default_predictor_dropout: Dropout rate suggested before the heads.
        default_num_neg: Negatives per positive suggested.
        default_negatives: Where negatives are drawn, suggested: "sequence",
            "batch" or "speaker".
    """

    layers: tuple[ConvLayerSpec, ...]
    dim_z: int
    norm: str = "none"
    activate_last: bool = False
    default_dim_c: int = DEFAULT_DIM_C
    default_pred_steps: int = DEFAULT_PRED_STEPS
    default_ar: str = "gru"
    default_ar_layers: int = 1
    default_predictor: str = "linear"
    default_predictor_dropout: float = 0.0
    default_num_neg: int = 10
    default_negatives: str = "sequence"

    def __post_init__(self):
        object.__setattr__(self, "layers", tuple(self.layers))
        if not self.layers:
            raise EncoderSpecError("the encoder needs at least one conv layer")
        for name in ("dim_z", "default_dim_c", "default_pred_steps", "default_ar_layers", "default_num_neg"):
            value = getattr(self, name)
            if not _is_int(value) or value < 1:
                raise EncoderSpecError(f"{_key(name)} must be a positive integer, got {value!r}")
        for name, allowed in (
            ("norm", NORM_MODES),
            ("default_ar", AR_CELLS),
            ("default_predictor", PREDICTORS),
            ("default_negatives", NEGATIVE_MODES),
        ):
            if getattr(self, name) not in allowed:
                raise EncoderSpecError(f"{_key(name)} must be one of {', '.join(allowed)}, got {getattr(self, name)!r}")
        if not isinstance(self.activate_last, bool):
            raise EncoderSpecError(f"activate_last must be true or false, got {self.activate_last!r}")
        dropout = self.default_predictor_dropout
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
            raise EncoderSpecError(f"predictor_dropout must be a number in [0, 1), got {dropout!r}")
        previous_out = 1
        for number, layer in enumerate(self.layers, start=1):
            if not isinstance(layer, ConvLayerSpec):
                raise EncoderSpecError(f"layer {number} is not a ConvLayerSpec")
            if layer.in_channels != previous_out:
                raise EncoderSpecError(
                    f"layer {number} takes {layer.in_channels} input channels "
                    f"but {'the waveform has' if number == 1 else 'the previous layer gives'} "
                    f"{previous_out}"
                )
            previous_out = layer.out_channels
        if previous_out != self.dim_z:
            raise EncoderSpecError(f"last layer outputs {previous_out} channels but the output dim is {self.dim_z}")
        if self.hop > MAX_HOP:
            raise EncoderSpecError(f"the strides multiply to a hop of {self.hop} samples, more than {MAX_HOP} (1 s)")

    @property
    def hop(self) -> int:
        """Samples between consecutive frames (product of the strides)."""
        return math.prod(layer.stride for layer in self.layers)

    @property
    def receptive_field(self) -> int:
        """Number of consecutive samples that one frame depends on."""
        field, jump = 1, 1
        for layer in self.layers:
            field += (layer.kernel_size - 1) * layer.dilation * jump
            jump *= layer.stride
        return field

    def num_frames(self, num_samples: int) -> int:
        """Number of frames the encoder gives for `num_samples` samples."""
        length = num_samples
        for layer in self.layers:
            span = (layer.kernel_size - 1) * layer.dilation + 1
            padded = length + layer.padding
            length = 0 if padded < span else (padded - span) // layer.stride + 1
        return length

    def samples_for_frames(self, frames: int) -> int:
        """Fewest samples for which the encoder gives at least `frames` frames (`frames` ≥ 1).

        Each layer gives `(length + padding - span) // stride + 1` frames once its padded input
        covers its span, so inverting the layers from the last to the first is exact.
        """
        length = frames
        for layer in reversed(self.layers):
            span = (layer.kernel_size - 1) * layer.dilation + 1
            length = max(0, (length - 1) * layer.stride + span - layer.padding)
        return max(1, length)

    def last_sample(self, frame: int) -> int:
        """Index of the last input sample that frame `frame` depends on.

        Frame `frame` depends on samples
        `last_sample(frame) - receptive_field + 1 ... last_sample(frame)`
        (negative indices are left zero padding). For the presets this is
        `(frame + 1) * hop - 1`.
        """
        index = frame
        for layer in reversed(self.layers):
            index = index * layer.stride + (layer.kernel_size - 1) * layer.dilation - layer.padding
        return index

    def with_dim_z(self, dim_z: int) -> "EncoderSpec":
        """Returns a copy whose last layer outputs `dim_z` channels."""
        last = dataclasses.replace(self.layers[-1], out_channels=dim_z)
        return dataclasses.replace(self, layers=self.layers[:-1] + (last,), dim_z=dim_z)

    @classmethod
    def from_yaml(cls, path) -> "EncoderSpec":
        """Reads a spec from a YAML file in the `conv_dims` format.

        Args:
            path: Path of the YAML file.

        Returns:
            The `EncoderSpec`.

        Raises:
            EncoderSpecError: The file is missing, unreadable, not valid YAML
                or describes an impossible encoder. The message names the file.
        """
        path = Path(path)
        try:
            text = path.read_text()
        except FileNotFoundError:
            raise EncoderSpecError(f"{path}: no such encoder spec file") from None
        except (OSError, UnicodeDecodeError) as error:
            raise EncoderSpecError(f"{path}: cannot read encoder spec ({error})") from None
        try:
            document = yaml.safe_load(text)
        except yaml.YAMLError as error:
            detail = " ".join(str(error).split())
            raise EncoderSpecError(f"{path}: invalid YAML ({detail})") from None
        try:
            return cls._from_document(document)
        except EncoderSpecError as error:
            raise EncoderSpecError(f"{path}: {error}") from None

    @classmethod
    def _from_document(cls, document):
        if not isinstance(document, dict) or "conv_dims" not in document:
            raise EncoderSpecError("missing the 'conv_dims' key")
        unknown = sorted(set(document) - {"conv_dims", *_OPTIONAL_KEYS})
        if unknown:
            raise EncoderSpecError(f"unknown key(s) {', '.join(map(str, unknown))}")
        conv_dims = document["conv_dims"]
        if not isinstance(conv_dims, list) or len(conv_dims) < 2:
            raise EncoderSpecError("conv_dims must list at least one layer row and the output dim")
        *rows, dim_z = conv_dims
        if not _is_int(dim_z) or dim_z < 1:
            raise EncoderSpecError(
                f"the last conv_dims item must be the output dim (a positive integer), got {dim_z!r}"
            )
        layers = []
        for number, row in enumerate(rows, start=1):
            if not isinstance(row, list) or len(row) != 6 or not all(map(_is_int, row)):
                raise EncoderSpecError(
                    f"conv_dims row {number} must be 6 integers "
                    f"[in, out, kernel, stride, padding, dilation], got {row!r}"
                )
            try:
                layers.append(ConvLayerSpec(*row))
            except EncoderSpecError as error:
                raise EncoderSpecError(f"conv_dims row {number}: {error}") from None
        extras = {field: document[key] for key, field in _OPTIONAL_KEYS.items() if key in document}
        return cls(layers=tuple(layers), dim_z=dim_z, **extras)


def resolve_encoder_spec(name_or_path: str, dim_z: int | None = None) -> EncoderSpec:
    """Returns the encoder spec for a preset name or a YAML path.

    Args:
        name_or_path: A preset name or the path of a `conv_dims` YAML file.
            Presets: "seed" (the default encoder of the reference TF
            implementation: hop 256, receptive field 512), "paper" (the CPC
            paper's encoder: hop 160, receptive field 465, 512 channels),
            "modified" (modified CPC, Riviere et al. 2020: the paper's
            geometry with 256 channels and channel norm, suggesting a 2-layer
            LSTM, a transformer predictor and 128 negatives within the
            speaker) and "modified-small" (the same ideas sized for a few
            CPU-minutes).
        dim_z: If given, overrides the output dimension of the encoder.

    Returns:
        The `EncoderSpec`.

    Raises:
        EncoderSpecError: Unknown preset, missing or invalid file, or bad
            `dim_z`.
    """
    name_or_path = str(name_or_path)
    if name_or_path in PRESET_NAMES:
        spec = EncoderSpec.from_yaml(PRESETS_DIR / f"{name_or_path}.yaml")
    elif Path(name_or_path).is_file() or name_or_path.endswith((".yaml", ".yml")):
        spec = EncoderSpec.from_yaml(name_or_path)
    else:
        raise EncoderSpecError(f"encoder {name_or_path!r}: not a preset ({', '.join(PRESET_NAMES)}) nor a YAML file")
    if dim_z is None:
        return spec
    if not _is_int(dim_z) or dim_z < 1:
        raise EncoderSpecError(f"encoder {name_or_path!r}: dim_z must be a positive integer, got {dim_z!r}")
    return spec.with_dim_z(dim_z)
