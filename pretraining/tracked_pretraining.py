"""A pretraining run with its run record and experiment trackers around it."""

import pathlib

from librispeech.manifest import MANIFEST_NAME
from pretraining.cluster_config import is_chief_task
from pretraining.cpc_pretraining import pretrain
from pretraining.pretraining_result import PretrainingResult
from pretraining.resolved_pretraining import ResolvedPretraining
from pretraining.run_settings import run_settings
from tracking.tracked_run import tracked_run
from tracking.tracker_callback import TrackerCallback
from tracking.tracking_options import TrackingOptions

LOGGED_OUTPUTS = ("genc.h5", "gar.keras", "config.json", "metrics.json", "plots", "run.json")


def tracked_pretrain(resolved: ResolvedPretraining, tracking: TrackingOptions) -> PretrainingResult:
    """Runs ``pretrain`` with ``run.json`` and the trackers; other workers than the chief just train.

    Raises:
        TrackingError: A tracker cannot be opened (e.g. its package is not installed).
        The errors of ``pretrain``.
    """
    if not is_chief_task():
        return pretrain(resolved)
    config = resolved.config
    output_dir = pathlib.Path(config.runtime.output_dir)
    settings = run_settings(resolved)
    manifests = [directory / MANIFEST_NAME for directory in (*resolved.train_dirs, resolved.val_dir)]
    with tracked_run(
        output_dir, "pretraining", settings, tracking, output_dir, manifests, {"seed": config.optimisation.seed}
    ) as (
        record,
        trackers,
    ):
        result = pretrain(resolved, extra_callbacks=[TrackerCallback(trackers)] if trackers else [])
        record.finish("completed", {"metrics": result.metrics})
        trackers.log_outputs(output_dir, list(LOGGED_OUTPUTS))
    return result
