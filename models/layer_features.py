"""One layer's output over a batch of waveforms of different lengths."""

import dataclasses

import numpy as np

from models.frame_geometry import FrameGeometry


@dataclasses.dataclass(frozen=True)
class LayerFeatures:
    """A layer's frames, which of them each waveform determines, and where they sit in time.

    Attributes:
        name: ``conv_<i>`` (the i-th convolution's output, after its norm and activation), ``z`` or ``c``.
        geometry: Where the layer's frames sit in the audio (its own hop); c has z's.
        features: ``(batch, frames, dim)`` float32.
        mask: ``(batch, frames)`` bool, True where the frame reads the waveform alone (no right padding).
        times: ``(batch, frames)`` float64, seconds at each frame's centre.
    """

    name: str
    geometry: FrameGeometry
    features: np.ndarray
    mask: np.ndarray
    times: np.ndarray
