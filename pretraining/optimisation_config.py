"""The optimisation settings of a pretraining run."""

import dataclasses

from pretraining.config_setting import setting


@dataclasses.dataclass(frozen=True)
class OptimisationConfig:
    """Adam, its learning-rate steps, the batches and the seed.

    Each field's ``help`` (shown by ``train.py -h``) documents it.
    """

    epochs: int = setting(25, "training epochs")
    lr: float = setting(1e-3, "Adam's initial learning rate")
    lr_milestones: tuple[int, ...] = setting(
        (10, 15, 20), "comma-separated epochs (from 0) from which the rate is divided by --lr-divisor once more"
    )
    lr_divisor: float = setting(3.0, "division of the learning rate at each milestone")
    batch_size: int = setting(64, "windows per batch, over all replicas")
    steps_per_epoch: int | None = setting(
        None, "batches per epoch (default: as many windows as there are utterances long enough for one)"
    )
    val_steps: int | None = setting(None, "validation batches per epoch (default: the whole validation split)")
    seed: int = setting(0, "seed of weights, crops, shuffling and negative sampling")
