"""Placing 10 ms phone labels on the frames of any feature extractor, by frame centre.

A feature frame depends on ``receptive_field`` consecutive samples, starting at
``first_sample + frame * hop``; its centre is the middle of that span. It takes the 10 ms label
whose interval ``[160 i, 160 i + 159]`` holds the centre. Where the centre falls outside the
labelled audio, the nearest label is taken: the first for frames centred in a causal encoder's
left zero padding (frame 0 of both presets), the last for the at most 2 frames by which the
labels may fall short of the audio (`MAX_LABEL_MISMATCH_FRAMES`).

For the CPC encoders, frame ``j`` covers the samples ending at ``(j + 1) * hop - 1``, so
``first_sample = hop - receptive_field``: the ``seed`` preset's frame ``j`` (hop 256, field
512) is centred on sample ``256 j - 0.5``, the ``paper`` preset's (hop 160, field 465) on
``160 j - 73``. c_t is computed from z_0 .. z_t and sits on z_t's frame. The fixed front ends
frame ``i`` from sample ``i * hop``; a 25 ms / 10 ms log-mel frame is centred on ``160 i + 199.5``.
"""

import dataclasses

import keras
import numpy as np

from models.genc_model import EncoderGeometryError, encoder_geometry, flat_layers
from probes.phone_alignments import LABEL_SAMPLES
from probes.probe_error import ProbeError

MAX_LABEL_MISMATCH_FRAMES = 2
"""Largest accepted difference between the label count and ``samples // 160``.

Labels made with 25 ms analysis windows (one per full window, Kaldi's default) are 1 or 2
short of ``samples // 160``; a bigger difference means labels and audio do not belong together.
"""

_KERNEL_LAYERS = (keras.layers.Conv1D, keras.layers.SeparableConv1D, keras.layers.DepthwiseConv1D)
_POOLING_LAYERS = (keras.layers.MaxPooling1D, keras.layers.AveragePooling1D)


class FrameMappingError(ProbeError):
    """Labels that do not fit an utterance, or features whose frames cannot be placed."""


@dataclasses.dataclass(frozen=True)
class FrameGeometry:
    """Where the frames of a feature extractor sit in its input audio.

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

    def label_indices(self, num_frames: int, num_labels: int, start: int = 0) -> np.ndarray:
        """Index of the 10 ms label of each frame.

        Args:
            num_frames: Frames the features have.
            num_labels: Labels of the utterance.
            start: Sample of the utterance where the featurised audio begins (a window's offset).

        Returns:
            ``(num_frames,)`` int64 in ``[0, num_labels - 1]``.
        """
        indices = np.floor(self.centres(num_frames, start) / LABEL_SAMPLES).astype(np.int64)
        return np.clip(indices, 0, num_labels - 1)

    @property
    def hop_ms(self) -> float:
        """Time between frames at 16 kHz."""
        return self.hop / 16


def check_label_count(utterance_id: str, num_labels: int, num_samples: int) -> None:
    """Checks that an utterance's labels and audio belong together.

    Raises:
        FrameMappingError: The label count is more than `MAX_LABEL_MISMATCH_FRAMES` away from
            ``num_samples // 160``.
    """
    expected = num_samples // LABEL_SAMPLES
    if abs(num_labels - expected) > MAX_LABEL_MISMATCH_FRAMES:
        raise FrameMappingError(
            f"utterance {utterance_id}: {num_labels} phone labels of 10 ms but its {num_samples} samples "
            f"make {expected} frames (more than {MAX_LABEL_MISMATCH_FRAMES} apart: labels of another audio?)"
        )


def frame_labels(
    utterance_id: str, labels: np.ndarray, geometry: FrameGeometry, num_frames: int, num_samples: int, start: int = 0
) -> np.ndarray:
    """The label of every feature frame of an utterance (or of a window of it).

    Args:
        utterance_id: Named in errors.
        labels: The utterance's 10 ms labels, ``(labels,)``.
        geometry: Where the feature frames sit.
        num_frames: Frames the features have.
        num_samples: Samples of the whole utterance.
        start: Sample where the featurised audio begins.

    Returns:
        ``(num_frames,)`` labels, the dtype of ``labels``.

    Raises:
        FrameMappingError: The labels do not fit the utterance's length (`check_label_count`).
    """
    check_label_count(utterance_id, len(labels), num_samples)
    return labels[geometry.label_indices(num_frames, len(labels), start)]


def encoder_frame_geometry(encoder: keras.Model) -> FrameGeometry:
    """Frame geometry of a loaded convolutional encoder (``genc.h5``, or the one in ``gar.keras``).

    Hop and receptive field come from `models.genc_model.encoder_geometry`; the first sample
    from the left padding of its layers (``ZeroPadding1D``, causal or "same" convolutions,
    ``Cropping1D``).

    Raises:
        FrameMappingError: The model is not a chain of 1D convolutions, poolings and frame-wise
            layers, or uses "same" padding with a stride, whose offset depends on the length.
    """
    try:
        geometry = encoder_geometry(encoder)
    except EncoderGeometryError as error:
        raise FrameMappingError(str(error)) from None
    first, jump = 0, 1
    for layer in flat_layers(encoder):
        if isinstance(layer, keras.layers.ZeroPadding1D):
            first -= layer.padding[0] * jump
        elif isinstance(layer, keras.layers.Cropping1D):
            first += layer.cropping[0] * jump
        elif isinstance(layer, (*_KERNEL_LAYERS, *_POOLING_LAYERS)):
            if isinstance(layer, _KERNEL_LAYERS):
                span, stride = (layer.kernel_size[0] - 1) * layer.dilation_rate[0] + 1, layer.strides[0]
            else:
                span, stride = layer.pool_size[0], layer.strides[0]
            if layer.padding == "causal":
                first -= (span - 1) * jump
            elif layer.padding == "same":
                if stride > 1:
                    raise FrameMappingError(
                        f"model {encoder.name!r}: layer {layer.name!r} pads 'same' with stride {stride}; "
                        "its frames cannot be placed independently of the input length"
                    )
                first -= (span - 1) // 2 * jump
            jump *= stride
    return FrameGeometry(geometry.hop, geometry.receptive_field, first)


def frontend_frame_geometry(frontend) -> FrameGeometry:
    """Frame geometry of a front end of ``frontends/``: frame ``i`` analyses samples from ``i * hop``.

    A receptive field wider than the analysis window (deltas) is centred on the window.
    """
    widening = frontend.receptive_field - frontend.frame_length
    return FrameGeometry(frontend.hop, frontend.receptive_field, -(widening // 2))
