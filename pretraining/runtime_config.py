"""The runtime settings of a pretraining run."""

import dataclasses
import pathlib

from pretraining.cluster_config import DISTRIBUTE_MODES
from pretraining.config_setting import setting


@dataclasses.dataclass(frozen=True)
class RuntimeConfig:
    """Where and on what a run computes, how long, and where it writes.

    Each field's ``help`` (shown by ``train.py -h``) documents it.
    """

    distribute: str = setting(
        "none",
        "'mirrored': all local GPUs; 'multiworker': the machines of TF_CONFIG, each reading its own shard files, "
        "only the chief writing artefacts; --batch-size is the global batch",
        choices=DISTRIBUTE_MODES,
    )
    mixed_precision: bool = setting(False, "mixed_float16 on a GPU: float16 compute, float32 weights, scores and loss")
    backup_every_steps: int | None = setting(
        None,
        "also back up every N steps within an epoch (default: at epoch ends only); a killed run started again "
        "with the same command resumes from its last backup",
    )
    time_budget: float | None = setting(
        None,
        "stop training after this many wall-clock minutes (mid-epoch if need be), write every artefact as at a "
        "normal end and keep the backup: the same command continues the run (default: all epochs)",
        metavar="MINUTES",
    )
    restart: bool = setting(False, "discard a backup in --output-dir and start over")
    output_dir: pathlib.Path = setting(
        pathlib.Path("outputs"), "where genc.h5, gar.keras, metrics.json, plots, logs and checkpoints go"
    )
