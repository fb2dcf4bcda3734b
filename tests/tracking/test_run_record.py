"""run.json: command, settings, git state, versions, devices, seeds, times and data checksums."""

import datetime
import hashlib
import importlib.metadata
import json
import pathlib
import subprocess
import sys

import pytest

from tracking.run_record import RunRecord, RunRecordError
from tracking.tracking_error import TrackingError


def _read(output_dir):
    return json.loads((output_dir / "run.json").read_text())


def _manifest(directory, text):
    directory.mkdir(parents=True)
    (directory / "manifest.json").write_text(text)
    return directory / "manifest.json"


def test_start_records_everything_the_run_was_started_with(tmp_path, git_repo):
    train = _manifest(tmp_path / "tfrecords" / "train", '{"split": "train"}\n')
    val = _manifest(tmp_path / "tfrecords" / "val", '{"split": "val"}\n')
    argv = ["train.py", "--epochs", "2", "--output-dir", str(tmp_path / "out")]
    settings = {"epochs": 2, "data_dir": pathlib.Path("/data"), "lr_milestones": (10, 15), "resolved": {"hop": 256}}

    record = RunRecord.start(
        tmp_path / "out", settings, manifests=[train, val.parent], seeds={"seed": 7}, argv=argv, source_dir=git_repo
    )
    content = _read(tmp_path / "out")

    assert content == record.content
    assert content["status"] == "running" and content["finished"] is None and content["wall_seconds"] is None
    assert content["command"]["argv"] == argv and content["command"]["executable"] == sys.executable
    assert content["settings"] == {
        "epochs": 2,
        "data_dir": "/data",
        "lr_milestones": [10, 15],
        "resolved": {"hop": 256},
    }
    assert content["seeds"] == {"seed": 7}
    assert content["data"] == [
        {"manifest": str(train), "sha256": hashlib.sha256(b'{"split": "train"}\n').hexdigest(), "bytes": 19},
        {"manifest": str(val), "sha256": hashlib.sha256(b'{"split": "val"}\n').hexdigest(), "bytes": 17},
    ]
    head = subprocess.run(["git", "-C", str(git_repo), "rev-parse", "HEAD"], capture_output=True, text=True)
    head = head.stdout.strip()
    assert content["git"] == {"commit": head, "dirty": False, "changes": []}
    assert content["python"]["version"] == ".".join(map(str, sys.version_info[:3]))
    assert content["packages"]["tensorflow"] == importlib.metadata.version("tensorflow")
    assert content["packages"]["keras"] == importlib.metadata.version("keras")
    assert content["packages"]["numpy"] == importlib.metadata.version("numpy")
    assert {"type": "CPU", "name": "/physical_device:CPU:0"} in content["devices"]
    started = datetime.datetime.fromisoformat(content["started"])
    assert started.tzinfo is not None
    assert abs((datetime.datetime.now(datetime.UTC) - started).total_seconds()) < 60
    assert record.tags == {"command": " ".join(argv), "git_commit": head, "git_dirty": "false"}


def test_changed_and_untracked_files_make_the_tree_dirty(tmp_path, git_repo):
    (git_repo / "code.py").write_text("print('changed')\n")
    dirty = RunRecord.start(tmp_path / "a", {}, source_dir=git_repo).content["git"]
    assert dirty["dirty"] is True and dirty["changes"] == [" M code.py"]

    subprocess.run(["git", "-C", str(git_repo), "checkout", "--quiet", "code.py"], check=True)
    (git_repo / "notes.txt").write_text("new\n")
    untracked = RunRecord.start(tmp_path / "b", {}, source_dir=git_repo).content["git"]
    assert untracked["dirty"] is True and untracked["changes"] == ["?? notes.txt"]

    (git_repo / "notes.txt").unlink()
    (git_repo / "outputs").mkdir()
    (git_repo / "outputs" / "run.json").write_text("{}")
    assert RunRecord.start(tmp_path / "c", {}, source_dir=git_repo).content["git"]["dirty"] is False


def test_outside_a_git_work_tree_the_commit_is_unknown(tmp_path):
    plain = tmp_path / "not_a_repo"
    plain.mkdir()
    content = RunRecord.start(tmp_path / "out", {}, source_dir=plain).content
    assert content["git"] == {"commit": "unknown", "dirty": "unknown", "changes": []}
    assert RunRecord.start(tmp_path / "out", {}, source_dir=plain).tags["git_commit"] == "unknown"


def test_this_projects_commit_is_recorded_by_default(tmp_path):
    project = pathlib.Path(__file__).resolve().parents[2]
    head = subprocess.run(["git", "-C", str(project), "rev-parse", "HEAD"], capture_output=True, text=True)
    content = RunRecord.start(tmp_path, {}).content
    assert content["git"]["commit"] == (head.stdout.strip() if head.returncode == 0 else "unknown")
    assert content["command"]["argv"] == sys.argv


def test_finish_records_the_end_and_leaves_no_temporary_file(tmp_path):
    record = RunRecord.start(tmp_path, {"epochs": 1})
    record.finish("completed", {"val_loss": 1.5, "model": pathlib.Path("genc.h5")})
    content = _read(tmp_path)
    assert content["status"] == "completed"
    assert content["extra"] == {"val_loss": 1.5, "model": "genc.h5"}
    started = datetime.datetime.fromisoformat(content["started"])
    finished = datetime.datetime.fromisoformat(content["finished"])
    assert started <= finished
    assert 0 <= content["wall_seconds"] < 60
    assert sorted(path.name for path in tmp_path.iterdir()) == ["run.json"]


def test_as_a_context_manager_an_exception_finishes_the_run_as_failed(tmp_path):
    with pytest.raises(RuntimeError, match="diverged"):
        with RunRecord.start(tmp_path, {}):
            raise RuntimeError("training diverged")
    content = _read(tmp_path)
    assert content["status"] == "failed"
    assert content["extra"]["error"] == {"type": "RuntimeError", "message": "training diverged"}


def test_as_a_context_manager_a_record_it_cannot_rewrite_leaves_the_error_that_stopped_the_run(tmp_path):
    def full_disk():
        raise OSError(28, "No space left on device")

    with pytest.raises(RuntimeError, match="diverged"):
        with RunRecord.start(tmp_path, {}) as record:
            record._write = full_disk
            raise RuntimeError("training diverged")
    assert _read(tmp_path)["status"] == "running"


def test_as_a_context_manager_ctrl_c_is_interrupted_and_a_clean_exit_completed(tmp_path):
    with pytest.raises(KeyboardInterrupt):
        with RunRecord.start(tmp_path / "a", {}):
            raise KeyboardInterrupt
    assert _read(tmp_path / "a")["status"] == "interrupted"

    with RunRecord.start(tmp_path / "b", {}):
        pass
    assert _read(tmp_path / "b")["status"] == "completed"

    with RunRecord.start(tmp_path / "c", {}) as record:
        record.finish("completed", {"rows": 3})
    assert _read(tmp_path / "c")["extra"] == {"rows": 3}


def test_a_missing_manifest_or_an_unknown_status_is_a_one_line_error(tmp_path):
    with pytest.raises(RunRecordError, match=r"^\S*nowhere/manifest.json: no such manifest$"):
        RunRecord.start(tmp_path, {}, manifests=[tmp_path / "nowhere"])
    assert issubclass(RunRecordError, TrackingError) and issubclass(TrackingError, ValueError)
    record = RunRecord.start(tmp_path, {})
    with pytest.raises(RunRecordError, match="must be one of completed, failed, interrupted, got 'done'"):
        record.finish("done")
    assert _read(tmp_path)["status"] == "running"
