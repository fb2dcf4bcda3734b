"""``python -m report``: both files written and their paths printed; a bad folder is one line and exit 2."""

import json
import pathlib
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


def _report(*args):
    return subprocess.run([sys.executable, "-m", "report", *map(str, args)], cwd=REPO, capture_output=True, text=True)


def test_writes_both_files_and_prints_their_paths(outputs_factory):
    outputs = outputs_factory("pretraining", "figures")
    result = _report(outputs)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [str(outputs / "report.md"), str(outputs / "report.html")]
    assert (outputs / "report.md").read_text().startswith("# CPC results\n")
    assert (outputs / "report.html").read_text().startswith("<!DOCTYPE html>")
    assert sorted(path.name for path in outputs.iterdir() if path.name.startswith(".")) == [".lock"]


@pytest.mark.parametrize("make, message", [(False, "no such folder"), (True, "no outputs to report")])
def test_a_missing_or_empty_folder_is_one_line_and_exit_2(tmp_path, make, message):
    folder = tmp_path / "outputs"
    if make:
        folder.mkdir()
    result = _report(folder)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith(f"error: {folder}: {message}") and result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "record", [{"command": "train.py"}, {"devices": [1]}, {"wall_seconds": "long"}, {"packages": ["keras"]}]
)
def test_a_run_record_of_the_wrong_shape_is_one_line(outputs_factory, record):
    outputs = outputs_factory("runs")
    (outputs / "run.json").write_text(json.dumps(record))
    result = _report(outputs)
    assert result.returncode == 2 and result.stdout == ""
    assert (
        result.stderr.startswith(f"error: {outputs / 'run.json'}: not a run record (")
        and result.stderr.count("\n") == 1
    )


def test_a_report_that_cannot_be_written_is_one_line_and_leaves_no_temporary(outputs_factory):
    outputs = outputs_factory("pretraining")
    (outputs / "report.md").mkdir()
    result = _report(outputs)
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {outputs}") and "Is a directory" in result.stderr
    assert result.stderr.count("\n") == 1
    assert sorted(path.name for path in outputs.iterdir() if path.name.startswith(".")) == [".lock"]


@pytest.mark.parametrize("failing, room_kib", [(".lock", 0), (".report.md.tmp", 4), (".report.html.tmp", 16)])
def test_a_full_disk_is_one_line_and_leaves_no_temporary(
    outputs_factory, tmp_path, small_disk, tmpfs_kib, failing, room_kib
):
    source = outputs_factory()
    outputs = tmp_path / "on-a-small-disk"
    # The outputs are copied onto the small disk first; then there is room for nothing, for the
    # lock file's one page, or for the lock file and report.md.
    command = ["sh", "-c", 'cp -R "$0"/. "$1" && exec "$2" -m report "$1"', str(source), str(outputs), sys.executable]
    returncode, _, stderr, left = small_disk(outputs, tmpfs_kib(source) + room_kib, command)
    assert returncode == 2, stderr
    assert stderr.splitlines()[-1] == f"error: {outputs / failing}: No space left on device"
    assert "Traceback" not in stderr
    assert not [name for name in left if ".tmp" in name], left
