"""Fixtures shared by the tests of several packages."""

import pathlib
import shutil
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[1]
_HOLDER = """
import sys, time
from tracking.folder_lock import FolderLock
with FolderLock(sys.argv[1]):
    print("locked", flush=True)
    time.sleep(120)
"""


@pytest.fixture
def lock_holder():
    """Starts a process that holds a folder's lock until the test ends: ``lock_holder(folder) -> Popen``."""
    holders = []

    def start(folder: pathlib.Path) -> subprocess.Popen:
        holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(folder)], cwd=REPO, stdout=subprocess.PIPE, text=True)
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
        result = subprocess.run(["unshare", "--map-root-user", "--mount", "sh", "-c", _ON_SMALL_DISK, "sh",
                                 f"{kib}k", str(folder), *command], cwd=REPO, capture_output=True, text=True)
        if result.returncode == 97:
            pytest.skip(f"no tmpfs mount in a user namespace here: {result.stderr.strip()}")
        stdout, _, listing = result.stdout.partition("--- files left on the disk ---\n")
        return result.returncode, stdout, result.stderr, [line[2:] for line in listing.splitlines()]

    if shutil.which("unshare") is None:
        pytest.skip("unshare is not installed")
    return run
