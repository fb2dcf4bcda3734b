"""Tests of `python -m demo` and of how it writes its output directory."""

import subprocess
import sys
from pathlib import Path

import pytest

from demo import DemoConfigError, staged_output_directory
from demo.__main__ import main

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]

LIBRISPEECH_FLAGS = [
    "--seed",
    "--train-split",
    "--dev-split",
    "--train-speakers",
    "--dev-speakers",
    "--utterances-per-speaker",
    "--workers",
]
SPEECHCOMMANDS_FLAGS = ["--seed", "--speakers", "--repetitions", "--workers"]


@pytest.mark.parametrize(
    "corpus, flags", [("librispeech", LIBRISPEECH_FLAGS), ("speechcommands", SPEECHCOMMANDS_FLAGS)]
)
def test_help_documents_every_flag(corpus, flags, run_main):
    status, captured = run_main(main, [corpus, "-h"])
    assert status == 0
    for flag in flags:
        assert flag in captured.out
    assert "OUT" in captured.out
    assert "default: 0" in captured.out


@pytest.mark.parametrize(
    "argv, flag",
    [
        (["librispeech", "OUT", "--train-speakers", "0"], "--train-speakers"),
        (["librispeech", "OUT", "--dev-speakers", "-1"], "--dev-speakers"),
        (["librispeech", "OUT", "--utterances-per-speaker", "1"], "--utterances-per-speaker"),
        (["librispeech", "OUT", "--workers", "0"], "--workers"),
        (["librispeech", "OUT", "--seed", "-3"], "--seed"),
        (["librispeech", "OUT", "--dev-split", "train-clean-100"], "--dev-split"),
        (["librispeech", "OUT", "--train-split", "a/b"], "--train-split"),
        (["librispeech", "OUT", "--seed", "abc"], "--seed"),
        (["speechcommands", "OUT", "--speakers", "4"], "--speakers"),
        (["speechcommands", "OUT", "--repetitions", "0"], "--repetitions"),
        (["librispeech", "OUT", "--no-such-flag"], "--no-such-flag"),
        (["wikipedia", "OUT"], "wikipedia"),
    ],
)
def test_bad_flags_exit_2_with_one_error_line(argv, flag, run_main, tmp_path):
    argv = [tmp_path / "out" if argument == "OUT" else argument for argument in argv]
    status, captured = run_main(main, argv)
    assert status == 2
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and flag in lines[0]
    assert not (tmp_path / "out").exists()


def test_module_entry_point_reports_bad_flag_without_traceback(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "demo", "librispeech", str(tmp_path / "out"), "--train-speakers", "0"],
        cwd=REPOSITORY_ROOT,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 2
    assert completed.stderr == "error: --train-speakers must be at least 1, got 0\n"


def test_generates_summarizes_and_replaces_an_earlier_corpus(run_main, tmp_path):
    output_dir = tmp_path / "data" / "LibriSpeech"
    argv = [
        "librispeech",
        output_dir,
        "--train-speakers",
        "1",
        "--dev-speakers",
        "1",
        "--utterances-per-speaker",
        "2",
        "--workers",
        "2",
    ]
    status, captured = run_main(main, argv)
    assert status == 0
    summary_line = captured.out.strip()
    assert summary_line.startswith(f"wrote LibriSpeech demo corpus to {output_dir}")
    assert "train-clean-100: 1 speakers, 2 utterances" in summary_line
    assert "librispeech" in captured.err  # the progress bar
    first_run = {path.relative_to(output_dir): path.read_bytes() for path in output_dir.rglob("*") if path.is_file()}
    (output_dir / "stale.txt").write_text("from an earlier run")

    status, _ = run_main(main, argv)
    assert status == 0
    second_run = {path.relative_to(output_dir): path.read_bytes() for path in output_dir.rglob("*") if path.is_file()}
    assert second_run == first_run
    assert sorted(path.name for path in tmp_path.joinpath("data").iterdir()) == ["LibriSpeech"]


def test_refuses_to_replace_a_directory_it_did_not_write(run_main, tmp_path):
    (tmp_path / "notes.txt").write_text("keep me")
    status, captured = run_main(main, ["speechcommands", tmp_path])
    assert status == 2
    assert "is not an earlier demo corpus" in captured.err
    assert (tmp_path / "notes.txt").read_text() == "keep me"


def test_unwritable_output_location_is_a_user_error(run_main, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    status, captured = run_main(main, ["speechcommands", blocker / "out", "--speakers", "5"])
    assert status == 2
    assert captured.err.startswith(f"error: cannot write output directory {blocker / 'out'}")


def test_failed_generation_leaves_nothing_behind(tmp_path):
    output_dir = tmp_path / "corpus"
    with pytest.raises(RuntimeError, match="synthesis failed"):
        with staged_output_directory(output_dir, "README.md") as staging_dir:
            (staging_dir / "half-written.wav").write_bytes(b"RIFF")
            raise RuntimeError("synthesis failed")
    assert list(tmp_path.iterdir()) == []


def test_output_path_that_is_a_file_is_refused(tmp_path):
    existing_file = tmp_path / "corpus"
    existing_file.write_text("")
    with pytest.raises(DemoConfigError, match="not an earlier demo corpus"):
        with staged_output_directory(existing_file, "README.md"):
            pass
