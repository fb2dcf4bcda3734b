"""Tests of the command-line plumbing: the one-line parser, the user-error report and the core count."""

import errno
import os
import subprocess
import sys

import pytest

from cli.error_lines import first_line, os_error_line
from cli.one_line_error_parser import OneLineErrorParser
from cli.reported_errors import run_reporting_errors
from cli.usable_cores import usable_cores
from cli.user_error import UserError


def test_a_bad_flag_is_one_line_with_status_2(capsys):
    parser = OneLineErrorParser(prog="tool")
    parser.add_argument("--count", type=int)
    with pytest.raises(SystemExit) as exit_info:
        parser.parse_args(["--count", "many"])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == "error: argument --count: invalid int value: 'many'\n"


def test_a_user_error_is_reported_in_one_line(capsys):
    def body():
        raise UserError("data/x.flac: not 16 kHz mono")

    assert run_reporting_errors(body) == 2
    assert capsys.readouterr().err == "error: data/x.flac: not 16 kHz mono\n"


def test_a_failed_write_names_its_file(capsys):
    def body():
        raise OSError(errno.ENOSPC, "No space left on device", "/out/genc.h5")

    assert run_reporting_errors(body) == 2
    assert capsys.readouterr().err == "error: /out/genc.h5: No space left on device\n"


def test_the_body_status_passes_through_and_programming_errors_keep_their_traceback():
    assert run_reporting_errors(lambda: 0) == 0
    with pytest.raises(KeyError):
        run_reporting_errors(lambda: {}["missing"])


def test_every_error_type_of_the_toolkit_is_a_user_error():
    from artefacts.folder_lock import FolderLockedError
    from demo import DemoConfigError
    from kws_eval.kws_config_error import KwsConfigError
    from librispeech.corpus_error import CorpusError
    from probes.probe_error import ProbeError
    from report.report_error import ReportError
    from speechcommands.speech_commands_error import SpeechCommandsError
    from tracking.tracking_error import TrackingError

    for error_type in (
        FolderLockedError,
        DemoConfigError,
        KwsConfigError,
        CorpusError,
        ProbeError,
        ReportError,
        SpeechCommandsError,
        TrackingError,
    ):
        assert issubclass(error_type, UserError), error_type


def test_error_lines():
    assert os_error_line(OSError(errno.EXDEV, "Invalid cross-device link", "/a", None, "/b")) == (
        "/a -> /b: Invalid cross-device link"
    )
    assert os_error_line(OSError(errno.ENOSPC, "No space left on device")) == "No space left on device"
    wrapped = ValueError("\x1b[31mException encountered when calling Conv1D.\x1b[0m\nkernel size 3 > 2 frames")
    assert first_line(wrapped) == "ValueError: kernel size 3 > 2 frames"


def test_usable_cores_follows_the_affinity_mask():
    assert usable_cores() == len(os.sched_getaffinity(0))
    pinned = subprocess.run(
        [
            "taskset",
            "-c",
            "0",
            sys.executable,
            "-c",
            "from cli.usable_cores import usable_cores; print(usable_cores())",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=os.getcwd(),
    )
    assert pinned.stdout.strip() == "1"


def test_the_environment_module_sets_tensorflow_defaults_and_keeps_a_users_value():
    code = (
        "import os, cli.tensorflow_environment; "
        "print(os.environ['TF_ENABLE_ONEDNN_OPTS'], os.environ['TF_CPP_MIN_LOG_LEVEL'])"
    )
    environment = {key: value for key, value in os.environ.items() if not key.startswith("TF_")}
    default = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=environment)
    chosen = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**environment, "TF_ENABLE_ONEDNN_OPTS": "0"},
    )
    assert default.stdout.split() == ["1", "2"]
    assert chosen.stdout.split() == ["0", "2"]


def _entry_points() -> list:
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2]
    scripts = [root / "train.py", root / "tfrecords.py", *sorted(root.glob("*/__main__.py"))]
    scripts += [path for path in sorted((root / "bench").glob("*.py")) if '__name__ == "__main__"' in path.read_text()]
    return scripts


@pytest.mark.parametrize("script", _entry_points(), ids=lambda path: f"{path.parent.name}/{path.name}")
def test_every_entry_point_imports_the_environment_before_anything_else(script):
    import ast

    imports = [node for node in ast.parse(script.read_text()).body if isinstance(node, (ast.Import, ast.ImportFrom))]
    first = next(node for node in imports if not (isinstance(node, ast.ImportFrom) and node.module == "__future__"))
    assert isinstance(first, ast.Import) and first.names[0].name == "cli.tensorflow_environment"


def test_progress_messages_of_the_named_package_reach_stdout_alone(capsys):
    import logging

    from cli.progress_messages import show_progress_messages

    show_progress_messages("kws_eval")
    try:
        logging.getLogger("kws_eval.kws_evaluation").info("[1/%d] seed %d", 5, 0)
        logging.getLogger("kws_eval.kws_evaluation").debug("hidden")
        logging.getLogger("probes").info("not shown: not asked for")
        captured = capsys.readouterr()
    finally:
        logging.getLogger("kws_eval").handlers = []
        logging.getLogger("kws_eval").propagate = True
    assert captured.out == "[1/5] seed 0\n"
    assert captured.err == ""
