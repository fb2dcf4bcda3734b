"""The fixed front ends declare the same geometry as a loaded encoder."""

import numpy as np
import pytest

from frontends.log_mel_spectrogram import LogMelSpectrogram
from frontends.mfcc import Mfcc
from models.frame_geometry import FrameGeometry


@pytest.mark.parametrize(
    "front_end, geometry",
    [
        # Frame i covers samples 160 i .. 160 i + 399.
        (LogMelSpectrogram(400, 160), FrameGeometry(160, 400, 0)),
        (LogMelSpectrogram(), FrameGeometry(256, 512, 0)),
        # Two regressions of 2 frames on either side widen the 400-sample window by 2 * 2 * 2 * 160.
        (Mfcc(), FrameGeometry(160, 1680, -640)),
        (Mfcc(num_deltas=1, delta_width=3), FrameGeometry(160, 1360, -480)),
        (Mfcc(num_deltas=0), FrameGeometry(160, 400, 0)),
    ],
)
def test_front_ends_declare_their_geometry(front_end, geometry):
    assert front_end.geometry == geometry
    assert (front_end.hop, front_end.receptive_field) == (geometry.hop, geometry.receptive_field)


def test_the_geometry_counts_the_frames_the_front_end_gives():
    log_mel = LogMelSpectrogram(400, 160)
    frames = log_mel(np.zeros((1, 1600), np.float32)).shape[1]
    geometry = log_mel.geometry
    # The last frame's span ends inside the audio, the next one's would not.
    last = geometry.first_sample + (frames - 1) * geometry.hop + geometry.receptive_field - 1
    assert frames == 8 and last <= 1599 < last + geometry.hop
