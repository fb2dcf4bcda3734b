"""The stop of a pretraining run by SIGINT or SIGTERM, after its backup."""

import pathlib
import signal

from pretraining.training_backup import TrainingPosition


class TrainingInterrupted(RuntimeError):
    """SIGINT or SIGTERM stopped training after saving a backup.

    Attributes:
        signum: The signal received.
        position: Where training stood (epoch from 0, steps done in it).
        backup_dir: Where the backup is.
    """

    def __init__(self, signum: int, position: TrainingPosition, backup_dir: pathlib.Path):
        super().__init__(
            f"interrupted by {signal.Signals(signum).name} in epoch {position.epoch + 1} after step {position.step}; "
            f"backup saved in {backup_dir}: run the same command again to resume"
        )
        self.signum = signum
        self.position = position
        self.backup_dir = backup_dir
