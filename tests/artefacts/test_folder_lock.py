import os

import pytest

from artefacts.folder_lock import FolderLock, FolderLockedError


def test_a_second_holder_is_refused_with_the_folder_and_the_holders_pid(lock_holder, tmp_path):
    folder = tmp_path / "out"
    holder = lock_holder(folder)
    with pytest.raises(FolderLockedError) as error, FolderLock(folder):
        pass
    assert str(error.value) == (
        f"{folder}: in use by another run (process {holder.pid}); wait for it to end or give another folder"
    )


def test_the_lock_of_a_killed_holder_is_free(lock_holder, tmp_path):
    folder = tmp_path / "out"
    holder = lock_holder(folder)
    holder.kill()
    holder.wait()
    with FolderLock(folder):
        assert (folder / ".lock").read_text() == f"{os.getpid()}\n"


def test_the_lock_is_free_again_after_the_block_and_the_folder_is_created(tmp_path):
    folder = tmp_path / "a" / "b"
    with FolderLock(folder):
        assert folder.is_dir()
        with pytest.raises(FolderLockedError), FolderLock(folder):
            pass
    with FolderLock(folder):
        pass
