"""Several trackers used as one: every call goes to each of them."""

import pathlib

from tracking.tracker import Tracker


class Trackers(Tracker):
    """The trackers a run asked for; with none, every call does nothing.

    Args:
        trackers: The open trackers.
    """

    def __init__(self, trackers: list[Tracker]):
        self.trackers = list(trackers)

    def __bool__(self) -> bool:
        return bool(self.trackers)

    def log_params(self, params: dict) -> None:
        for tracker in self.trackers:
            tracker.log_params(params)

    def log_metrics(self, metrics: dict[str, float], step: int | None = None) -> None:
        for tracker in self.trackers:
            tracker.log_metrics(metrics, step)

    def log_artifact(self, path: pathlib.Path, folder: str | None = None) -> None:
        for tracker in self.trackers:
            tracker.log_artifact(path, folder)

    def finish(self, status: str = "completed") -> None:
        for tracker in self.trackers:
            tracker.finish(status)
