"""Checking a ``--distribute`` setting against the environment, without loading TensorFlow."""

import json
import os

DISTRIBUTE_MODES = ("none", "mirrored", "multiworker")


class DistributionError(ValueError):
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
