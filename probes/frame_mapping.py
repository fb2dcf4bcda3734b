"""Placing 10 ms phone labels on the frames of any feature extractor, by frame centre.

A feature frame depends on ``receptive_field`` consecutive samples, starting at
``first_sample + frame * hop`` (its `models.frame_geometry.FrameGeometry`); its centre is the
middle of that span. It takes the 10 ms label whose interval ``[160 i, 160 i + 159]`` holds the
centre. Where the centre falls outside the labelled audio, the nearest label is taken: the first
for frames centred in a causal encoder's left zero padding (frame 0 of both presets), the last
for the at most 2 frames by which the labels may fall short of the audio
(`MAX_LABEL_MISMATCH_FRAMES`).

For the CPC encoders, frame ``j`` covers the samples ending at ``(j + 1) * hop - 1``, so
``first_sample = hop - receptive_field``: the ``seed`` preset's frame ``j`` (hop 256, field
512) is centred on sample ``256 j - 0.5``, the ``paper`` preset's (hop 160, field 465) on
``160 j - 73``. c_t is computed from z_0 .. z_t and sits on z_t's frame. The fixed front ends
frame ``i`` from sample ``i * hop``; a 25 ms / 10 ms log-mel frame is centred on ``160 i + 199.5``.
"""

import numpy as np

from models.frame_geometry import FrameGeometry
from probes.phone_alignments import LABEL_SAMPLES
from probes.probe_error import ProbeError

MAX_LABEL_MISMATCH_FRAMES = 2
"""Largest accepted difference between the label count and ``samples // 160``.

Labels made with 25 ms analysis windows (one per full window, Kaldi's default) are 1 or 2
short of ``samples // 160``; a bigger difference means labels and audio do not belong together.
"""


class FrameMappingError(ProbeError):
    """Labels that do not fit an utterance."""


def label_indices(geometry: FrameGeometry, num_frames: int, num_labels: int, start: int = 0) -> np.ndarray:
    """Index of the 10 ms label of each frame.

    Args:
        geometry: Where the feature frames sit.
        num_frames: Frames the features have.
        num_labels: Labels of the utterance.
        start: Sample of the utterance where the featurised audio begins (a window's offset).

    Returns:
        ``(num_frames,)`` int64 in ``[0, num_labels - 1]``.
    """
    indices = np.floor(geometry.centres(num_frames, start) / LABEL_SAMPLES).astype(np.int64)
    return np.clip(indices, 0, num_labels - 1)


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
    return labels[label_indices(geometry, num_frames, len(labels), start)]
