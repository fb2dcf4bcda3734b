"""Shared measuring helpers of the benchmark scripts: medians, machine, memory."""

import os
import pathlib
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

from cli.usable_cores import usable_cores

REPO = pathlib.Path(__file__).resolve().parents[1]


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


def child_lines(command: list[str], environment: dict[str, str] | None = None) -> list[str]:
    """Runs one measuring process in the repository and returns its stdout lines.

    A fresh process per measurement, since oneDNN and the thread pools are fixed when a
    framework starts. TensorFlow's start-up notices are kept out of its stderr.

    Args:
        command: The command line.
        environment: Variables set over this process's environment.

    Raises:
        SystemExit: The process failed; its stderr is shown first.
    """
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", **(environment or {})}
    child = subprocess.run(command, capture_output=True, text=True, cwd=REPO, env=env)
    if child.returncode:
        sys.stderr.write(child.stderr)
        raise SystemExit(f"{' '.join(command[:4])} failed with exit status {child.returncode}")
    return child.stdout.strip().splitlines()
