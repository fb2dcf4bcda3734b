"""The contrastive loss settings of a pretraining run."""

import dataclasses

from losses.negative_modes import NEGATIVE_MODES
from pretraining.config_setting import setting


@dataclasses.dataclass(frozen=True)
class LossConfig:
    """How the InfoNCE loss draws negatives and which steps it scores.

    Each field's ``help`` (shown by ``train.py -h``) documents it; None takes the encoder's
    default.
    """

    num_neg: int | None = setting(
        None,
        "negatives per positive; chance accuracy is 1/(num-neg+1) (default: the encoder's, 10; 128 for modified)",
    )
    negatives: str | None = setting(
        None,
        "draw negatives from the same window (sequence: reference), from the other windows of the batch at the "
        "same step (batch: paper's InfoNCE) or from the windows of the same speaker in the batch (speaker: "
        "modified CPC); default: the encoder's",
        choices=NEGATIVE_MODES,
    )
    t_skip: int = setting(5, "first context steps left unscored, whose GRU has seen too little")
    targets_gradient: bool = setting(
        False, "let gradients flow into the targets (paper) instead of stopping them (reference)"
    )
