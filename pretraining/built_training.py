"""The model and data of a pretraining run, ready to fit."""

import dataclasses

import tensorflow as tf

from models.cpc_model import CPCModel


@dataclasses.dataclass
class BuiltTraining:
    """What `cpc_pretraining.build_training` makes of a run's settings.

    Attributes:
        model: The compiled CPC model, its weights restored from the backup on a resume.
        train_windows: Training batches, repeated without end: audio ``(batch, window)``.
        val_windows: Validation batches, the same windows every epoch.
        steps_per_epoch: Batches of a whole epoch.
        val_steps: Validation batches per epoch.
    """

    model: CPCModel
    train_windows: tf.data.Dataset | tf.distribute.DistributedDataset
    val_windows: tf.data.Dataset | tf.distribute.DistributedDataset
    steps_per_epoch: int
    val_steps: int
