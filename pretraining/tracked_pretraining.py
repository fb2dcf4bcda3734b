"""A pretraining run with its run record and experiment trackers around it."""

from librispeech.manifest import MANIFEST_NAME
from pretraining.cluster_config import is_chief_task
from pretraining.cpc_pretraining import PretrainingResult, TrainingInterrupted, pretrain, run_settings
from pretraining.pretraining_config import ResolvedPretraining
from tracking.run_record import RunRecord
from tracking.tracker_callback import TrackerCallback
from tracking.tracking_options import TrackingOptions

LOGGED_OUTPUTS = ("genc.h5", "gar.keras", "config.json", "metrics.json", "plots", "run.json")


def tracked_pretrain(resolved: ResolvedPretraining, tracking: TrackingOptions) -> PretrainingResult:
    """Runs ``pretrain``, writing ``run.json`` and feeding the trackers; the chief only.

    ``run.json`` ends as ``completed``, ``interrupted`` or ``failed`` (with the error), and
    so do the trackers' runs.

    Raises:
        TrackingError: A tracker cannot be opened (e.g. its package is not installed).
        The errors of ``pretrain``.
    """
    if not is_chief_task():
        return pretrain(resolved)
    config = resolved.config
    settings = run_settings(resolved)
    record = RunRecord.start(
        config.output_dir,
        settings,
        manifests=[resolved.train_dir / MANIFEST_NAME, resolved.val_dir / MANIFEST_NAME],
        seeds={"seed": config.seed},
    )
    try:
        trackers = tracking.open("pretraining", config.output_dir, settings, record.tags)
    except Exception as error:
        record.finish("failed", {"error": str(error)})
        raise
    try:
        result = pretrain(resolved, extra_callbacks=[TrackerCallback(trackers)] if trackers else [])
    except BaseException as error:
        status = "interrupted" if isinstance(error, (TrainingInterrupted, KeyboardInterrupt)) else "failed"
        record.finish(status, {"error": str(error) or type(error).__name__})
        trackers.finish(status)
        raise
    record.finish("completed", {"metrics": result.metrics})
    trackers.log_outputs(config.output_dir, list(LOGGED_OUTPUTS))
    trackers.finish("completed")
    return result
