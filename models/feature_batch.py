"""The features `CPCFeatures` returns for a batch of waveforms."""

import dataclasses

import numpy as np

from models.layer_features import LayerFeatures


@dataclasses.dataclass(frozen=True)
class FeatureBatch:
    """z and c of a batch of right-padded waveforms, with their frames' masks and times.

    Attributes:
        z: ``(batch, frames, dim_z)`` float32, the encoder output.
        c: ``(batch, frames, dim_c)`` float32, the context on z's frames.
        mask: ``(batch, frames)`` bool, True for the frames within each waveform.
        times: ``(batch, frames)`` float64, seconds at the frames' centres.
        hidden_states: Every layer's `LayerFeatures` (each convolution but the last, z, c: the s3prl
            ``hidden_states``), or None when not asked for.
    """

    z: np.ndarray
    c: np.ndarray
    mask: np.ndarray
    times: np.ndarray
    hidden_states: tuple[LayerFeatures, ...] | None = None
