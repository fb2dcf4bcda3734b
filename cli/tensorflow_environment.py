"""TensorFlow's process settings, set when this module is imported: before TensorFlow is.

Every entry point (`train.py`, `tfrecords.py`, each ``python -m`` command, each bench module)
imports this module first, so users get the fast CPU kernels without exporting variables
themselves; a value they did export wins. The import order is kept by the linter
(``pyproject.toml`` gives this module an import section of its own, ahead of all others).

TensorFlow enables oneDNN by default only on some Intel CPUs. On AMD Zen 3 it makes the CPC
training step about 1.3x faster, the encoder's matrix products above all (see `BENCHMARKS.md`);
on a GPU it changes only the few ops left on the CPU. TensorFlow's C++ info logs are hidden.

TensorFlow's native start-up lines (the oneDNN banner, "Could not find cuda drivers", the failed
``cuInit`` of a machine without a GPU, the CPU-instruction notice) are written before its log
level applies, so no variable silences them. When a toolkit command is the program, they are
filtered out of its stderr; ``--verbose`` on any command keeps them. A program that imports the
library (a notebook, a test runner) keeps its stderr untouched.
"""

import atexit
import os
import pathlib
import re
import sys
import threading

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

START_UP_NOISE = re.compile(
    rb"WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    rb"|[IWE]\d{4} [\d:.]+ +\d+ (?:port|cudart_stub|cuda_platform|cuda_executor|cuda_diagnostics|cpu_feature_guard)"
    rb"\.cc:\d+\] .*"
    rb"|To enable the following instructions: .*, in other operations, rebuild TensorFlow with the appropriate "
    rb"compiler flags\."
)
"""A whole stderr line that TensorFlow prints while starting and that says nothing about the run."""
VERBOSE_FLAG = "--verbose"
_REPO = pathlib.Path(__file__).resolve().parents[1]


def hide_start_up_noise() -> None:
    """Routes the process's native stderr (file descriptor 2) through a filter of `START_UP_NOISE`.

    Python's own ``sys.stderr`` (error lines, tracebacks, progress bars) keeps writing to the
    original stream directly, so nothing it writes waits on the filter. What native code and
    child processes write reaches the original stream line by line, without the noise.
    """
    original = os.dup(2)
    read_end, write_end = os.pipe()
    sys.stderr.flush()
    os.dup2(write_end, 2)
    os.close(write_end)
    sys.stderr = open(original, "w", buffering=1, errors="backslashreplace", closefd=False)
    forwarder = threading.Thread(target=_forward, args=(read_end, original), name="stderr-filter", daemon=True)
    forwarder.start()
    atexit.register(_finish, forwarder, original)


def _forward(read_end: int, original: int) -> None:
    pending = b""
    while chunk := os.read(read_end, 1 << 16):
        *lines, pending = (pending + chunk).split(b"\n")
        kept = [line for line in lines if not START_UP_NOISE.fullmatch(line)]
        if kept:
            os.write(original, b"\n".join(kept) + b"\n")
    if pending and not START_UP_NOISE.fullmatch(pending):
        os.write(original, pending)
    os.close(read_end)


def _finish(forwarder: threading.Thread, original: int) -> None:
    """At exit, fd 2 goes back to the original stream, so the pipe ends and its last lines pass."""
    os.dup2(original, 2)
    forwarder.join(timeout=2.0)


def _started_as_a_toolkit_command() -> bool:
    """Whether the program is one of the toolkit's scripts: a top-level script of the repository,
    a package's ``__main__`` or a bench module, rather than a test runner or a user's program."""
    path = getattr(sys.modules.get("__main__"), "__file__", None)
    if path is None:
        return False
    try:
        parts = pathlib.Path(path).resolve().relative_to(_REPO).parts
    except ValueError:
        return False
    return len(parts) == 1 or (len(parts) == 2 and (_REPO / parts[0] / "__init__.py").is_file())


if _started_as_a_toolkit_command() and VERBOSE_FLAG not in sys.argv[1:]:
    hide_start_up_noise()
