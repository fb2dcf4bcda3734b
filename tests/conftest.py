"""Fixtures shared by the tests of several packages."""

import os
import pathlib
import shutil
import signal
import subprocess
import sys
import time

import pytest

REPO = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture
def run_main(capsys):
    """Runs a command's ``main(argv)`` in this process, as its command line would.

    Returns a function of ``(main, argv)`` giving the exit status (that of a `SystemExit`
    argparse raised, too) and what the command printed (``.out``, ``.err``).
    """

    def run(main, argv):
        try:
            status = main([str(argument) for argument in argv])
        except SystemExit as exit_request:
            status = exit_request.code
        return status, capsys.readouterr()

    return run


@pytest.fixture
def ctrl_c():
    """Presses Ctrl-C in this test's own process, under Python's default SIGINT handler.

    The default handler is put in place for the test (a test run started in the background
    inherits an ignored SIGINT) and the previous one restored after it.
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)

    def press() -> None:
        os.kill(os.getpid(), signal.SIGINT)
        # Long enough for the handler to run whichever thread the kernel gave the signal to.
        time.sleep(0.05)

    yield press
    signal.signal(signal.SIGINT, previous)


_HOLDER = """
import sys, time
from artefacts.folder_lock import FolderLock
with FolderLock(sys.argv[1]):
    print("locked", flush=True)
    time.sleep(120)
"""


@pytest.fixture
def lock_holder():
    """Starts a process that holds a folder's lock until the test ends: ``lock_holder(folder) -> Popen``."""
    holders = []

    def start(folder: pathlib.Path) -> subprocess.Popen:
        holder = subprocess.Popen(
            [sys.executable, "-c", _HOLDER, str(folder)], cwd=REPO, stdout=subprocess.PIPE, text=True
        )
        holders.append(holder)
        assert holder.stdout.readline() == "locked\n"
        return holder

    yield start
    for holder in holders:
        holder.kill()
        holder.wait()
        holder.stdout.close()


_ON_SMALL_DISK = """
mount -t tmpfs -o size="$1" tmpfs "$2" || exit 97
mount_point=$2
shift 2
"$@"
status=$?
echo "--- files left on the disk ---"
cd "$mount_point" && find . -mindepth 1 | sort
exit $status
"""


@pytest.fixture
def tmpfs_kib():
    """``tmpfs_kib(folder) -> KiB`` its files take on a tmpfs, where each file fills whole 4 KiB pages."""
    return lambda folder: sum(4 * -(-path.stat().st_size // 4096) for path in folder.rglob("*") if path.is_file())


@pytest.fixture
def small_disk():
    """Runs a command with a folder replaced by a tmpfs of a few KiB, in a private mount namespace.

    ``small_disk(folder, kib, command) -> (returncode, stdout, stderr, paths left on the disk)``,
    files and folders, relative to ``folder``. The tmpfs exists only inside the namespace, so
    its listing is taken there, after the command; a command that needs files on the disk
    first copies them there itself. Skips where user namespaces or tmpfs mounts are not allowed.
    """

    def run(folder: pathlib.Path, kib: int, command: list[str]) -> tuple[int, str, str, list[str]]:
        folder.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            [
                "unshare",
                "--map-root-user",
                "--mount",
                "sh",
                "-c",
                _ON_SMALL_DISK,
                "sh",
                f"{kib}k",
                str(folder),
                *command,
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
        )
        if result.returncode == 97:
            pytest.skip(f"no tmpfs mount in a user namespace here: {result.stderr.strip()}")
        stdout, _, listing = result.stdout.partition("--- files left on the disk ---\n")
        return result.returncode, stdout, result.stderr, [line[2:] for line in listing.splitlines()]

    if shutil.which("unshare") is None:
        pytest.skip("unshare is not installed")
    return run


@pytest.fixture
def fit_tiny_model():
    """Trains a one-layer regression for a few epochs with ``callbacks``; returns the Keras history.

    Its logs look like CPC's: ``accuracy_<k>`` and ``val_accuracy_<k>`` for k = 1, 2.
    """
    import keras
    import numpy as np

    def step_accuracy(k):
        def accuracy(y_true, y_pred):
            return keras.ops.mean(keras.ops.cast(keras.ops.abs(y_true - y_pred) < 0.5 * k, "float32"))

        return keras.metrics.MeanMetricWrapper(accuracy, name=f"accuracy_{k}")

    def fit(callbacks, epochs=3):
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.compile(keras.optimizers.Adam(0.01), "mse", metrics=[step_accuracy(k) for k in (1, 2)])
        x = np.random.default_rng(0).random((16, 3), dtype=np.float32)
        y = x.sum(axis=1, keepdims=True)
        return model.fit(
            x, y, validation_data=(x, y), epochs=epochs, batch_size=8, verbose=0, callbacks=callbacks
        ).history

    return fit


@pytest.fixture(scope="session")
def resampled_to_16khz():
    """The reference the converter's audio is held to, from int16 source samples and their rate:
    channels averaged, scipy's polyphase resampling (factors reduced by their gcd), rounded and
    clipped to int16."""
    import math

    import numpy as np
    import scipy.signal

    def reference(samples, rate: int):
        signal = samples.mean(axis=1) if samples.ndim == 2 else samples.astype(np.float64)
        if rate != 16000:
            divisor = math.gcd(16000, rate)
            signal = scipy.signal.resample_poly(signal, 16000 // divisor, rate // divisor)
        return np.clip(np.round(signal), -32768, 32767).astype(np.int16)

    return reference
