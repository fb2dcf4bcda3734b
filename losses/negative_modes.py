"""Where the contrastive loss draws its negatives from."""

NEGATIVE_MODES = ("sequence", "batch", "speaker")
"""``sequence``: frames of the same window (the reference); ``batch``: the same step of other
windows (the paper's InfoNCE); ``speaker``: frames of the windows of the same speaker
(modified CPC). `GenTargets` documents each."""
