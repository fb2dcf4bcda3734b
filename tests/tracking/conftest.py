"""A git work tree for the run record."""

import subprocess

import pytest


def _git(directory, *args):
    subprocess.run(
        ["git", "-C", str(directory), "-c", "user.name=Test", "-c", "user.email=test@example.com", *args],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def git_repo(tmp_path):
    """A work tree with one committed file, ``code.py``, and nothing changed."""
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "--quiet")
    (repo / "code.py").write_text("print('hello')\n")
    (repo / ".gitignore").write_text("outputs/\n")
    _git(repo, "add", "code.py", ".gitignore")
    _git(repo, "commit", "--quiet", "-m", "first")
    return repo
