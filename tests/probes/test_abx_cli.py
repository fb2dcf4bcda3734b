"""`python -m probes abx` on the tone corpus: every row and file, and its one-line errors."""

import csv
import json
import re
import sys

import pytest

from models.ar_model import ar_model
from models.context_model import context_model
from models.encoder_spec import resolve_encoder_spec
from models.genc_model import genc_model
from probes.__main__ import main

ROWS = ["cpc_c", "cpc_z", "random_c", "random_z", "logmel", "mfcc"]


@pytest.mark.slow
def test_every_row_and_file(tone_corpus, tmp_path, run_main):
    tfrecords_dir, alignments_dir = tone_corpus
    model = tmp_path / "gar.keras"
    context_model(genc_model(resolve_encoder_spec("seed")), ar_model(40, 40)).save(model)
    output = tmp_path / "probes"
    status, captured = run_main(
        main,
        [
            "abx",
            "--tfrecords",
            tfrecords_dir,
            "--alignments",
            alignments_dir,
            "--model",
            model,
            "--output-dir",
            output,
            "--quiet",
            "--max-items-per-group",
            "4",
        ],
    )
    assert status == 0, captured.err
    directory = output / "abx"
    results = json.loads((directory / "results.json").read_text())
    assert results["task"] == "abx" and list(results["rows"]) == ROWS
    recipe = results["recipe"]
    assert (recipe["utterances"], recipe["speakers"], recipe["max_items_per_group"]) == (24, 4, 4)
    for name, row in results["rows"].items():
        assert row["within_triplets"] > 0 and row["across_triplets"] > 0
        assert 0 <= row["within_error"] <= 1 and 0 <= row["across_error"] <= 1
        assert f"| {name} | {row['description']} |" in captured.out
    # Every phone of this corpus is a pure tone: a spectrum tells them apart almost always.
    assert results["rows"]["logmel"]["within_error"] < 0.05
    assert results["rows"]["logmel"]["across_error"] < 0.05
    with open(directory / "results.csv", newline="") as handle:
        assert [line["row"] for line in csv.DictReader(handle)] == ROWS
    assert (directory / "results.md").read_text().startswith("ABX error on ")
    assert (directory / "abx.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads((directory / "run.json").read_text())["status"] == "completed"


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (
            ["--rows", "cpc_c,hubert"],
            "--rows: unknown row 'hubert'; choose from cpc_c,cpc_z,random_c,random_z,logmel,mfcc",
        ),
        (["--rows", "logmel,logmel"], "--rows lists 'logmel' twice"),
        (["--rows", "logmel", "--max-items-per-group", "1"], "--max-items-per-group must be at least 2"),
        (["--model", "{tmp}/missing.keras"], "--model {tmp}/missing.keras: no such model file"),
        (["--rows", "logmel", "--tfrecords", "{tmp}"], "{tmp}"),
    ],
)
def test_bad_input_is_one_line(tone_corpus, tmp_path, run_main, flags, message):
    tfrecords_dir, alignments_dir = tone_corpus
    argv = [
        "abx",
        "--tfrecords",
        tfrecords_dir,
        "--alignments",
        alignments_dir,
        "--output-dir",
        tmp_path / "out",
        *[flag.format(tmp=tmp_path) for flag in flags],
    ]
    status, captured = run_main(main, argv)
    assert status == 2
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message.format(tmp=tmp_path) in lines[0], lines


def test_a_split_without_aligned_utterances_is_one_line(tone_corpus, alignment_writer, tmp_path, run_main):
    tfrecords_dir, _ = tone_corpus
    other = alignment_writer(tmp_path / "other", {"9-9-0000": [1, 2, 3]}, ["9-9-0000"], ["9-9-0000"])
    status, captured = run_main(
        main,
        [
            "abx",
            "--tfrecords",
            tfrecords_dir,
            "--alignments",
            other,
            "--rows",
            "logmel",
            "--output-dir",
            tmp_path / "out",
        ],
    )
    assert status == 2
    assert captured.err.strip().splitlines() == [
        f"error: {tfrecords_dir}: no utterance of this split is aligned in {other / 'converted_aligned_phones.txt'}"
    ]


def test_help_documents_every_flag(run_main):
    status, captured = run_main(main, ["abx", "-h"])
    assert status == 0
    for flag in (
        "--tfrecords",
        "--alignments",
        "--model",
        "--rows",
        "--max-items-per-group",
        "--seed",
        "--output-dir",
        "--quiet",
    ):
        assert flag in captured.out
    assert "cpc_c,cpc_z,random_c,random_z,logmel,mfcc" in captured.out


@pytest.mark.parametrize("kib", [4, 8, 16])
def test_a_full_disk_is_one_line_and_leaves_no_temporary(tone_corpus, tmp_path, small_disk, kib):
    tfrecords_dir, alignments_dir = tone_corpus
    output_dir = tmp_path / "out"
    returncode, _, stderr, left = small_disk(
        output_dir,
        kib,
        [
            sys.executable,
            "-m",
            "probes",
            "abx",
            "--tfrecords",
            str(tfrecords_dir),
            "--alignments",
            str(alignments_dir),
            "--rows",
            "logmel",
            "--output-dir",
            str(output_dir),
            "--quiet",
            "--max-items-per-group",
            "4",
        ],
    )
    assert returncode == 2, stderr
    assert re.fullmatch(
        rf"error: {re.escape(str(output_dir))}/abx/\.\S+: No space left on device", stderr.splitlines()[-1]
    ), stderr
    assert "Traceback" not in stderr
    assert not [name for name in left if ".tmp" in name], left
