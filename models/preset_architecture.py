"""The architecture of an encoder + recurrent context model, as a preset's ``config.json`` holds it."""

import dataclasses

import keras
import numpy as np

from models.ar_model import ar_model
from models.context_model import context_model
from models.encoder_spec import AR_CELLS, ConvLayerSpec, EncoderSpec, EncoderSpecError
from models.genc_model import genc_model
from models.preset_error import PresetError
from models.time_step import time_steps

_CELLS = {keras.layers.GRU: "gru", keras.layers.LSTM: "lstm"}
_REBUILD_TOLERANCE = 1e-5


@dataclasses.dataclass(frozen=True)
class PresetArchitecture:
    """What `genc_model`, `ar_model` and `context_model` need to rebuild a trained model.

    Attributes:
        spec: The encoder's convolutions, norm and last activation.
        cell: The recurrent cell, "gru" or "lstm".
        ar_layers: Stacked recurrent layers.
        dim_c: Units of every recurrent layer, the size of c_t.
    """

    spec: EncoderSpec
    cell: str
    ar_layers: int
    dim_c: int

    def build(self) -> keras.Model:
        """The untrained model, audio ``(batch, samples)`` → c ``(batch, frames, dim_c)``, as `train.py` builds it."""
        encoder = genc_model(self.spec)
        return context_model(encoder, ar_model(self.spec.dim_z, self.dim_c, cell=self.cell, layers=self.ar_layers))

    def to_json(self) -> dict:
        """The ``encoder`` (the `EncoderSpec` YAML keys) and ``ar`` entries of ``config.json``."""
        rows = [[getattr(layer, field.name) for field in dataclasses.fields(layer)] for layer in self.spec.layers]
        return {
            "encoder": {
                "conv_dims": [*rows, self.spec.dim_z],
                "norm": self.spec.norm,
                "activate_last": self.spec.activate_last,
            },
            "ar": {"cell": self.cell, "layers": self.ar_layers, "dim_c": self.dim_c},
        }

    @classmethod
    def from_json(cls, config: dict, subject: str) -> "PresetArchitecture":
        """Reads `to_json`'s entries back.

        Args:
            config: The content of ``config.json``.
            subject: What error messages call the file.

        Raises:
            PresetError: An entry is missing or describes no possible model.
        """
        try:
            encoder, ar = config["encoder"], config["ar"]
            *rows, dim_z = encoder["conv_dims"]
            spec = EncoderSpec(
                tuple(ConvLayerSpec(*row) for row in rows), dim_z, encoder["norm"], encoder["activate_last"]
            )
            cell, ar_layers, dim_c = ar["cell"], ar["layers"], ar["dim_c"]
        except (KeyError, TypeError, ValueError) as error:
            detail = f"missing {error}" if isinstance(error, KeyError) else str(error)
            raise PresetError(f"{subject}: not a preset architecture ({detail})") from None
        if cell not in AR_CELLS or not all(isinstance(value, int) and value > 0 for value in (ar_layers, dim_c)):
            raise PresetError(f"{subject}: ar needs a cell in {', '.join(AR_CELLS)} and positive layers and dim_c")
        return cls(spec, cell, ar_layers, dim_c)

    @classmethod
    def of_model(cls, model: keras.Model, subject: str) -> "PresetArchitecture":
        """Reads the architecture off a loaded ``gar.keras``, checking that the rebuilt model computes the same.

        Args:
            model: Audio → c, e.g. ``AudioFeatureModel.load("outputs/gar.keras").model``.
            subject: What error messages call the model.

        Raises:
            PresetError: The model is not causal convolutions followed by GRU or LSTM layers as `train.py`
                builds them.
        """
        rows, activations, normalised, pending, cells, units = [], [], [], 0, [], 0
        for step in time_steps(model):
            layer = step.layer
            if isinstance(layer, keras.layers.Reshape) and not rows:
                continue
            if cells and type(layer) not in _CELLS:
                raise PresetError(f"{subject}: layer {layer.name!r} follows the recurrent layers")
            if isinstance(layer, keras.layers.ZeroPadding1D) and not step.right:
                pending += step.left
            elif type(layer) is keras.layers.Conv1D and layer.padding == "valid":
                rows.append(
                    (int(layer.kernel.shape[1]), layer.filters, layer.kernel_size[0], layer.strides[0], pending)
                    + (layer.dilation_rate[0],)
                )
                activations.append(keras.activations.serialize(layer.activation))
                normalised.append(False)
                pending = 0
            elif isinstance(layer, keras.layers.LayerNormalization) and rows:
                normalised[-1] = True
            elif isinstance(layer, keras.layers.ReLU) and rows:
                continue
            elif type(layer) in _CELLS and rows:
                cells.append(_CELLS[type(layer)])
                units = layer.units
            else:
                raise PresetError(
                    f"{subject}: layer {layer.name!r} ({type(layer).__name__}) is not one train.py builds "
                    "(left-padded 'valid' Conv1D, LayerNormalization, ReLU, then GRU or LSTM layers)"
                )
        if not rows or not cells or len(set(cells)) > 1:
            raise PresetError(f"{subject}: a preset needs an encoder followed by GRU or LSTM layers (a gar.keras)")
        try:
            spec = EncoderSpec(
                tuple(ConvLayerSpec(*row) for row in rows),
                rows[-1][1],
                norm="channel" if any(normalised) else "none",
                activate_last=normalised[-1] or activations[-1] == "relu",
            )
        except EncoderSpecError as error:
            raise PresetError(f"{subject}: unusable encoder ({error})") from None
        architecture = cls(spec, cells[0], len(cells), units)
        architecture._check_rebuilds(model, subject)
        return architecture

    def _check_rebuilds(self, model: keras.Model, subject: str) -> None:
        # The walk reads layer kinds, not how the graph wires them: running both proves the copy.
        rebuilt = self.build()
        try:
            rebuilt.set_weights(model.get_weights())
        except ValueError:
            raise PresetError(f"{subject}: its weights do not fit the architecture its layers describe") from None
        audio = np.random.default_rng(0).uniform(-1, 1, (1, 2 * self.spec.receptive_field + 3)).astype(np.float32)
        expected, actual = np.asarray(model(audio)), np.asarray(rebuilt(audio))
        if np.abs(expected - actual).max() > _REBUILD_TOLERANCE * max(1.0, float(np.abs(expected).max())):
            raise PresetError(f"{subject}: rebuilt from its layers it computes other features")
