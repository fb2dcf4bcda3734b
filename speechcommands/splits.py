"""The Speech Commands dataset's rule for assigning a clip to a split.

The dataset does not ship fixed per-file split labels for training; instead
its README defines a hash rule that puts every clip of one speaker into the
same split, so that speakers never leak between training and evaluation.
The speaker is identified by the part of the file name before `_nohash_`.
"""

from __future__ import annotations

import hashlib
import os

MAX_CLIPS_PER_CLASS = 2**27 - 1
"""Upper bound on clips per word assumed by the rule; fixes the hash modulus."""

SPEAKER_SEPARATOR = "_nohash_"
"""Marks the end of the speaker part of a clip's file name."""


def which_split(path: str, validation_percentage: float = 10.0, testing_percentage: float = 10.0) -> str:
    """Assigns a clip to "validation", "testing" or "training".

    The speaker part of the file name is hashed with SHA-1 and mapped to a
    number in [0, 100]; the first `validation_percentage` of that range is
    validation, the next `testing_percentage` testing, the rest training.

    Args:
        path: Path or bare file name of the clip, e.g. `"yes/0a7c2a8d_nohash_0.wav"`.
        validation_percentage: Share of speakers for validation, in percent.
        testing_percentage: Share of speakers for testing, in percent.

    Returns:
        The split name: "validation", "testing" or "training".
    """
    base_name = os.path.basename(path)
    speaker = base_name.split(SPEAKER_SEPARATOR, 1)[0]
    speaker_hash = int(hashlib.sha1(speaker.encode("utf-8")).hexdigest(), 16)
    percentage = (speaker_hash % (MAX_CLIPS_PER_CLASS + 1)) * (100.0 / MAX_CLIPS_PER_CLASS)
    if percentage < validation_percentage:
        return "validation"
    if percentage < validation_percentage + testing_percentage:
        return "testing"
    return "training"
