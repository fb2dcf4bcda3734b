"""A command's run wrapped in its run record and experiment trackers."""

import contextlib
import pathlib
from collections.abc import Iterable, Iterator

from artefacts.folder_lock import FolderLock
from tracking.run_record import RunRecord
from tracking.trackers import Trackers
from tracking.tracking_options import TrackingOptions

_INTERRUPTIONS = ("TrainingInterrupted", "KeyboardInterrupt")


@contextlib.contextmanager
def tracked_run(
    output_dir: pathlib.Path,
    run_name: str,
    settings: dict,
    tracking: TrackingOptions,
    store_root: pathlib.Path,
    manifests: Iterable[pathlib.Path] = (),
    seeds: dict[str, int] | None = None,
) -> Iterator[tuple[RunRecord, Trackers]]:
    """Locks ``output_dir``, writes its ``run.json`` and opens the trackers around the body.

    The record and the trackers end ``completed``, or ``interrupted`` / ``failed`` (with
    the error) when the body raises; the error goes on.

    Args:
        output_dir: The command's output folder, which gets ``run.json``.
        run_name: The trackers' run name (``pretraining``, ``kws``, ``probe-phone``).
        settings: Every resolved setting.
        tracking: The trackers asked for on the command line.
        store_root: The outputs root, home of the default MLflow store.
        manifests: ``manifest.json`` files of the data read.
        seeds: Every seed, by name.

    Yields:
        The run record (for ``finish`` extras) and the opened trackers.

    Raises:
        FolderLockedError: Another run holds ``output_dir``; nothing is written.
        TrackingError: A tracker cannot be opened; ``run.json`` then says ``failed``.
    """
    with FolderLock(output_dir):
        record = RunRecord.start(output_dir, settings, manifests=manifests, seeds=seeds)
        try:
            trackers = tracking.open(run_name, store_root, settings, record.tags)
        except Exception as error:
            record.finish("failed", {"error": str(error)})
            raise
        try:
            yield record, trackers
        except BaseException as error:
            status = "interrupted" if type(error).__name__ in _INTERRUPTIONS else "failed"
            record.finish(status, {"error": str(error) or type(error).__name__})
            trackers.finish(status)
            raise
        if record.content["status"] == "running":
            record.finish("completed")
        trackers.finish("completed")
