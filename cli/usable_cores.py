"""The number of CPU cores this process may run on: the default of every ``--workers`` flag."""

import os


def usable_cores() -> int:
    """Cores in this process's CPU affinity mask where the system has one (Linux), else all cores.

    A container or ``taskset`` limits the affinity mask below `os.cpu_count`, and a worker per
    core beyond it would only contend.
    """
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1
