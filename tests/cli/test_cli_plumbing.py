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


NATIVE_START_UP = [
    b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    b"I0000 00:00:1796351816.921752   20383 port.cc:153] oneDNN custom operations are on. You may see slightly "
    b"different numerical results due to floating-point round-off errors from different computation orders.",
    b"I0000 00:00:1796351816.922106   20383 cudart_stub.cc:31] Could not find cuda drivers on your machine, GPU will "
    b"not be used.",
    b"E0000 00:00:1796351820.645934   20383 cuda_platform.cc:52] failed call to cuInit: INTERNAL: CUDA error: Failed "
    b"call to cuInit: UNKNOWN ERROR (303)",
    b"I0000 00:00:1796349826.774871   16765 cpu_feature_guard.cc:227] This TensorFlow binary is optimized to use "
    b"available CPU instructions in performance-critical operations.",
    b"To enable the following instructions: AVX2 AVX512F FMA, in other operations, rebuild TensorFlow with the "
    b"appropriate compiler flags.",
]


def test_the_start_up_noise_pattern_takes_tensorflows_banners_and_nothing_else():
    from cli.tensorflow_environment import START_UP_NOISE

    assert all(START_UP_NOISE.fullmatch(line) for line in NATIVE_START_UP)
    for kept in (
        b"F0000 00:00:1796351820.645934   20383 conv_ops.cc:52] Check failed: input rank 3",
        b"E0000 00:00:1796351820.645934   20383 cuda_platform.cc:52",
        b"error: data/x.flac: not 16 kHz",
        b"Traceback (most recent call last):",
    ):
        assert START_UP_NOISE.fullmatch(kept) is None, kept


def test_hidden_noise_leaves_every_other_native_line_and_python_s_stderr_direct():
    script = (
        "import os, sys, cli.tensorflow_environment as environment\n"
        "environment.hide_start_up_noise()\n"
        f"os.write(2, b'\\n'.join({NATIVE_START_UP!r}) + b'\\nnative problem\\npartial')\n"
        "print('error: from python', file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, cwd=os.getcwd(), check=True)
    assert sorted(result.stderr.splitlines()) == [b"error: from python", b"native problem", b"partial"]


def test_a_command_s_stderr_is_its_error_line_alone_and_verbose_keeps_the_start_up_lines(tmp_path):
    from cli.tensorflow_environment import START_UP_NOISE

    (tmp_path / "audio").mkdir()
    command = [sys.executable, "-m", "extract", str(tmp_path / "audio"), str(tmp_path / "out"), "--model", "none.h5"]
    quiet = subprocess.run(command, capture_output=True, cwd=os.getcwd())
    verbose = subprocess.run([*command, "--verbose"], capture_output=True, cwd=os.getcwd())
    assert quiet.returncode == verbose.returncode == 2
    assert (
        quiet.stderr == f"error: {tmp_path / 'audio'}: no audio files (.flac, .wav) in it or its subfolders\n".encode()
    )
    assert [line for line in verbose.stderr.splitlines() if not START_UP_NOISE.fullmatch(line)] == [
        quiet.stderr.rstrip(b"\n")
    ]


def test_keras_and_tqdm_show_plain_progress_when_redirected(monkeypatch):
    import io

    from cli.progress_display import keras_verbosity, progress_bar_options

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stdout", io.StringIO())
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert (keras_verbosity(), keras_verbosity(0), progress_bar_options()) == (2, 0, {"mininterval": 30.0})
    monkeypatch.setattr(sys, "stdout", Terminal())
    monkeypatch.setattr(sys, "stderr", Terminal())
    assert (keras_verbosity(), keras_verbosity(2), progress_bar_options()) == (1, 2, {})


def test_every_parser_takes_verbose_and_leaves_it_out_of_the_arguments():
    parser = OneLineErrorParser(prog="tool")
    parser.add_argument("--count", type=int, default=1)
    assert vars(parser.parse_args(["--verbose", "--count", "3"])) == {"count": 3}
