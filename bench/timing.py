"""Shared measuring helpers of the benchmark scripts: medians, machine, memory."""

import platform
import resource
import statistics
import time
from collections.abc import Callable

from cli.usable_cores import usable_cores


def machine() -> str:
    """CPU model, usable cores and Python, for the record beside every figure."""
    model = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{model}, {usable_cores()} cores, Python {platform.python_version()}"


def timed_median(run: Callable[[], object], repeats: int) -> tuple[float, list[float]]:
    """Median and all wall-clock seconds of ``repeats`` calls of ``run``."""
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), seconds


def peak_rss_mib() -> float:
    """Peak resident memory of this process."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
