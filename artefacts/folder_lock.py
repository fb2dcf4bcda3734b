"""One writer per output folder: an exclusive lock that the kernel drops when the process dies."""

import fcntl
import os
import pathlib

from artefacts.atomic_files import naming_path
from cli.user_error import UserError

LOCK_NAME = ".lock"


class FolderLockedError(UserError):
    """Another live process holds the folder's lock."""


class FolderLock:
    """Holds ``<folder>/.lock`` with ``fcntl.flock`` while the ``with`` block runs.

    The lock file stays in place (removing it would let two processes lock two different
    files); it holds the process id of the last holder, which the error of a second run
    names. A killed holder's lock is released by the kernel, so no stale lock outlives it.

    Args:
        folder: The folder to lock; created (with its parents) if missing.

    Raises:
        FolderLockedError: On entry, when another process holds the lock.
        OSError: The folder cannot be created, or the lock file opened or written (a full disk).
    """

    def __init__(self, folder: pathlib.Path):
        self.folder = pathlib.Path(folder)
        self._descriptor: int | None = None

    def __enter__(self) -> "FolderLock":
        self.folder.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(descriptor, 32).decode(errors="replace").strip() or "unknown"
            os.close(descriptor)
            raise FolderLockedError(
                f"{self.folder}: in use by another run (process {holder}); wait for it to end or give another folder"
            ) from None
        try:
            with naming_path(self.folder / LOCK_NAME):
                os.ftruncate(descriptor, 0)
                os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
        except OSError:
            os.close(descriptor)
            raise
        self._descriptor = descriptor
        return self

    def __exit__(self, *exc_info) -> None:
        if self._descriptor is not None:
            os.close(self._descriptor)
            self._descriptor = None
