"""A CPC model opened up to give every layer's output, each with its own frame geometry."""

import dataclasses

import keras
import numpy as np

from models.audio_feature_model import AudioFeatureModel
from models.frame_geometry import FrameGeometry
from models.model_file_error import ModelFileError
from models.time_step import time_steps


@dataclasses.dataclass(frozen=True)
class LayerOutputs:
    """Audio → the output of each convolution block, z and (with a recurrent part) c.

    Attributes:
        names: ``conv_1`` .. ``conv_<L-1>``, ``z`` and, for a model with a recurrent part, ``c``.
        geometries: Each output's `FrameGeometry`; c has z's (it sits on z's frames).
        encoder_outputs: Audio ``(batch, samples)`` → each block's ``(batch, frames_i, channels_i)``, z last.
        recurrent: The layers after the encoder, z → c, in order; empty for an encoder file.
    """

    names: tuple[str, ...]
    geometries: tuple[FrameGeometry, ...]
    encoder_outputs: keras.Model
    recurrent: tuple[keras.layers.Layer, ...]

    @classmethod
    def of(cls, feature_model: AudioFeatureModel) -> "LayerOutputs":
        """Opens a loaded ``gar.keras`` or ``genc.h5`` up.

        Raises:
            ModelFileError: No convolutional encoder can be read in the model.
        """
        encoder = feature_model.encoder
        if encoder is None:
            raise ModelFileError(feature_model.subject, "has no convolutional encoder whose layers can be read")
        # A block ends where the next convolution's padding or the convolution itself begins.
        ends = []
        for step in time_steps(encoder):
            if step.kind == "convolution":
                ends.append(step.layer)
            elif step.kind == "frame-wise" and ends:
                ends[-1] = step.layer
        outputs = [layer.output for layer in ends]
        names = [f"conv_{number}" for number in range(1, len(ends))] + ["z"]
        geometries = [FrameGeometry.of_encoder(keras.Model(encoder.inputs[0], output)) for output in outputs]
        recurrent = ()
        if not feature_model.is_encoder:
            recurrent = tuple(
                layer
                for layer in feature_model.model.layers
                if layer is not encoder and not isinstance(layer, keras.layers.InputLayer)
            )
            names.append("c")
            geometries.append(geometries[-1])
        return cls(tuple(names), tuple(geometries), keras.Model(encoder.inputs[0], outputs), recurrent)

    def __call__(self, audio) -> list[np.ndarray]:
        """Every output for float32 audio ``(batch, samples)``, in `names` order, each ``(batch, frames_i, dim_i)``."""
        outputs = [np.asarray(output) for output in self.encoder_outputs(audio, training=False)]
        if self.recurrent:
            c = outputs[-1]
            for layer in self.recurrent:
                c = layer(c, training=False)
            outputs.append(np.asarray(c))
        return outputs

    def dims(self) -> tuple[int, ...]:
        """Features per frame of each output."""
        dims = [int(output.shape[-1]) for output in self.encoder_outputs.outputs]
        return tuple(dims + [int(self.recurrent[-1].output.shape[-1])] if self.recurrent else dims)


def valid_frames(geometry: FrameGeometry, samples: int) -> int:
    """Frames that read ``samples`` samples of audio alone, none of the padding after them.

    Frame ``j`` reads up to sample ``first_sample + j * hop + receptive_field - 1``, which must be below
    ``samples``.
    """
    return max(0, (samples - geometry.first_sample - geometry.receptive_field) // geometry.hop + 1)
