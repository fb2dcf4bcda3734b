"""Where the frames of an audio → features model sit in its input audio."""

import dataclasses

import keras
import numpy as np

from models.model_file_error import ModelFileError
from models.time_step import CHAIN_KINDS, time_steps


@dataclasses.dataclass(frozen=True)
class FrameGeometry:
    """Time geometry shared by the learned encoders and the fixed front ends.

    Frame ``j`` depends on the ``receptive_field`` consecutive samples from ``first_sample + j *
    hop``. For the CPC encoders frame ``j`` covers the samples ending at ``(j + 1) * hop - 1``,
    so ``first_sample = hop - receptive_field`` (the causal left padding); the fixed front ends
    start frame ``i`` at sample ``i * hop``, less any widening by delta features.

    Attributes:
        hop: Samples between consecutive frames.
        receptive_field: Consecutive samples one frame depends on.
        first_sample: First sample frame 0 depends on; negative where the span reaches before
            the audio (causal left padding, edge frames repeated by delta features).
    """

    hop: int
    receptive_field: int
    first_sample: int

    def centres(self, num_frames: int, start: int = 0) -> np.ndarray:
        """Centre sample of frames ``0 .. num_frames - 1`` of audio starting at sample ``start``.

        Returns:
            ``(num_frames,)`` float64, half-integers for an even receptive field.
        """
        return start + self.first_sample + np.arange(num_frames) * self.hop + (self.receptive_field - 1) / 2

    @property
    def hop_ms(self) -> float:
        """Time between frames at 16 kHz."""
        return self.hop / 16

    @classmethod
    def of_encoder(cls, encoder: keras.Model, label: str | None = None) -> "FrameGeometry":
        """Reads the geometry off a loaded convolutional encoder's layers.

        Works on any chain of 1D convolutions, 1D poolings and frame-wise layers (see
        `models.time_step`), not only on those `genc_model` builds: left padding comes from
        ``ZeroPadding1D``, ``Cropping1D`` and "causal" or "same" convolutions.

        Args:
            encoder: A `keras.Model` mapping ``(batch, samples)`` to ``(batch, frames, channels)``.
            label: What error messages call the model; ``model '<name>'`` if None.

        Returns:
            The `FrameGeometry`.

        Raises:
            ModelFileError: The model has other input/output ranks, no convolution, a layer
                whose effect on the time axis is unknown or unbounded (e.g. a recurrent layer),
                or "same" padding with a stride, whose offset depends on the input length.
        """
        label = label or f"model {encoder.name!r}"
        try:
            inputs, outputs = encoder.inputs, encoder.outputs
        except (AttributeError, ValueError):
            inputs = outputs = None
        if not inputs or not outputs or len(inputs) != 1 or len(outputs) != 1:
            raise ModelFileError(label, "is not a single-input, single-output built model")
        in_rank, out_rank = len(inputs[0].shape), len(outputs[0].shape)
        if in_rank != 2 or out_rank != 3:
            raise ModelFileError(
                label,
                f"maps rank {in_rank} to rank {out_rank}; "
                "an encoder maps (batch, samples) to (batch, frames, channels)",
            )
        field, first, jump, convolutions = 1, 0, 1, 0
        for step in time_steps(encoder):
            layer = step.layer
            if step.kind not in CHAIN_KINDS:
                raise ModelFileError(
                    label,
                    f"layer {layer.name!r} ({type(layer).__name__}) is not a 1D convolution, pooling or "
                    "frame-wise layer",
                )
            if step.left is None:
                raise ModelFileError(
                    label,
                    f"layer {layer.name!r} pads 'same' with stride {step.stride}; "
                    "its frames cannot be placed independently of the input length",
                )
            first -= step.left * jump
            field += (step.span - 1) * jump
            jump *= step.stride
            convolutions += step.kind == "convolution"
        if not convolutions:
            raise ModelFileError(label, "has no Conv1D layer")
        return cls(jump, field, first)
