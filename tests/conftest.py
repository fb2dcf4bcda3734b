"""Fixtures shared by the tests of several packages."""

import pathlib
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
