"""Checking a ``--distribute`` setting against the environment, without loading TensorFlow."""

import json
import os

from cli.user_error import UserError

DISTRIBUTE_MODES = ("none", "mirrored", "multiworker")


class DistributionError(UserError):
    """A distribution setting that cannot work here, described in one line."""


def check_cluster_config(mode: str) -> None:
    """Checks what ``mode`` needs from the environment, before TensorFlow starts.

    Raises:
        DistributionError: ``multiworker`` without a usable ``TF_CONFIG``.
    """
    if mode != "multiworker":
        return
    text = os.environ.get("TF_CONFIG")
    if not text:
        raise DistributionError("--distribute multiworker needs TF_CONFIG describing the cluster and this task")
    try:
        cluster_config = json.loads(text)
        workers = cluster_config["cluster"]
        task = cluster_config["task"]
        task["type"], task["index"]
    except (ValueError, KeyError, TypeError):
        raise DistributionError("TF_CONFIG must be JSON with 'cluster' and 'task': {'type', 'index'}") from None
    if not isinstance(workers, dict) or not workers:
        raise DistributionError("TF_CONFIG's 'cluster' lists no tasks")


def is_chief_task() -> bool:
    """Whether this process writes a run's artefacts, read off ``TF_CONFIG`` without TensorFlow.

    True without ``TF_CONFIG``, for the ``chief`` task, and for worker 0 of a cluster that
    lists no chief, as ``tf.distribute`` decides.
    """
    text = os.environ.get("TF_CONFIG")
    if not text:
        return True
    cluster_config = json.loads(text)
    task = cluster_config.get("task", {})
    if task.get("type") == "chief":
        return True
    return (
        task.get("type") == "worker"
        and int(task.get("index", 0)) == 0
        and "chief" not in cluster_config.get("cluster", {})
    )
