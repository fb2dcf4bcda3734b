"""`python -m probes`: its help, and every user error as one line with exit status 2."""

import json

import pytest

from models.encoder_spec import resolve_encoder_spec
from models.genc_model import genc_model
from probes.__main__ import main

FLAGS = [
    "--tfrecords",
    "--alignments",
    "--model",
    "--features",
    "--encoder",
    "--rows",
    "--epochs",
    "--batch-size",
    "--frame-batch-size",
    "--learning-rate",
    "--supervised-epochs",
    "--supervised-learning-rate",
    "--window",
    "--seed",
    "--output-dir",
    "--quiet",
]


def _assert_one_line_error(status, captured, message):
    assert status == 2
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("error: ") and message in lines[0], lines[0]
    assert "Traceback" not in captured.err


@pytest.mark.parametrize("task", ["phone", "speaker"])
def test_help_documents_every_flag(task, run_main):
    status, captured = run_main(main, [task, "-h"])
    assert status == 0
    for flag in FLAGS:
        assert flag in captured.out
    assert "cpc,random,mfcc,logmel,supervised" in captured.out
    assert "outputs/probes" in captured.out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "the following arguments are required: TASK"),
        (["words"], "invalid choice: 'words'"),
        (["phone", "--epochs", "x"], "argument --epochs: invalid int value: 'x'"),
        (["phone", "--features", "q"], "argument --features: invalid choice: 'q'"),
        (
            ["phone", "--rows", "cpc,wav2vec"],
            "--rows: unknown row 'wav2vec'; choose from cpc,random,mfcc,logmel,supervised",
        ),
        (["phone", "--rows", "logmel,mfcc,logmel"], "--rows lists 'logmel' twice"),
        (["phone", "--rows", ","], "--rows lists no row"),
        (["speaker", "--rows", "logmel", "--epochs", "0"], "--epochs must be at least 1, got 0"),
        (["phone", "--rows", "logmel", "--supervised-epochs", "0"], "--supervised-epochs must be at least 1, got 0"),
        (["phone", "--rows", "logmel", "--learning-rate", "-1"], "--learning-rate must be positive, got -1.0"),
        (["speaker", "--encoder", "genc.h5"], "--encoder gives z_t only: add --features z"),
    ],
)
def test_bad_flags_are_one_line(argv, message, run_main, tmp_path):
    status, captured = run_main(main, [*argv, "--output-dir", tmp_path / "out"] if argv else argv)
    _assert_one_line_error(status, captured, message)
    assert not (tmp_path / "out").exists()


def test_an_output_folder_that_cannot_be_written_is_refused(tmp_path, run_main):
    blocker = tmp_path / "file"
    blocker.write_text("")
    status, captured = run_main(main, ["phone", "--rows", "logmel", "--output-dir", blocker / "probes"])
    _assert_one_line_error(status, captured, f"--output-dir {blocker / 'probes'}: cannot write there ({blocker} is not")


def test_a_missing_model_is_named_before_any_work(tmp_path, run_main):
    status, captured = run_main(main, ["phone", "--model", tmp_path / "gar.keras", "--output-dir", tmp_path / "out"])
    message = f"--model {tmp_path / 'gar.keras'}: no such model file (run train.py first"
    _assert_one_line_error(status, captured, message)


def test_a_file_that_is_no_model_is_named(tone_corpus, tmp_path, run_main):
    tfrecords_dir, alignments_dir = tone_corpus
    model = tmp_path / "gar.keras"
    model.write_text("not a zip archive")
    status, captured = run_main(
        main,
        [
            "phone",
            "--tfrecords",
            tfrecords_dir,
            "--alignments",
            alignments_dir,
            "--model",
            model,
            "--rows",
            "cpc",
            "--output-dir",
            tmp_path / "out",
        ],
    )
    _assert_one_line_error(status, captured, f"--model {model}: cannot load a Keras model")


def test_an_encoder_given_for_context_features_is_refused(tone_corpus, tmp_path, run_main):
    tfrecords_dir, alignments_dir = tone_corpus
    encoder = tmp_path / "genc.h5"
    genc_model(resolve_encoder_spec("seed")).save(encoder)
    status, captured = run_main(
        main,
        [
            "speaker",
            "--tfrecords",
            tfrecords_dir,
            "--alignments",
            alignments_dir,
            "--model",
            encoder,
            "--rows",
            "cpc",
            "--output-dir",
            tmp_path / "out",
        ],
    )
    message = f"--model {encoder}: an encoder alone (audio → z_t); probe it with --features z"
    _assert_one_line_error(status, captured, message)


def test_a_malformed_label_file_names_file_and_line(tone_corpus, tmp_path, run_main):
    tfrecords_dir, alignments_dir = tone_corpus
    (alignments_dir / "phones.txt").write_text("0 SIL\n1 A\n2 B\n2 C\n")
    status, captured = run_main(
        main,
        [
            "phone",
            "--tfrecords",
            tfrecords_dir,
            "--alignments",
            alignments_dir,
            "--rows",
            "logmel",
            "--output-dir",
            tmp_path / "out",
        ],
    )
    message = f"{alignments_dir / 'phones.txt'}:4: phone id 2 is already defined on line 3"
    _assert_one_line_error(status, captured, message)
    # Only the run record says what happened; no result file is written.
    assert sorted(path.name for path in (tmp_path / "out" / "phone").iterdir()) == [".lock", "run.json"]
    record = json.loads((tmp_path / "out" / "phone" / "run.json").read_text())
    assert (record["status"], record["extra"]["error"]) == ("failed", message)


def test_labels_that_do_not_fit_the_audio_name_the_utterance(tone_corpus, run_main, tmp_path):
    tfrecords_dir, alignments_dir = tone_corpus
    path = alignments_dir / "converted_aligned_phones.txt"
    lines = path.read_text().splitlines()
    lines[5] = " ".join(lines[5].split()[:-5])
    path.write_text("\n".join(lines) + "\n")
    status, captured = run_main(
        main,
        [
            "phone",
            "--tfrecords",
            tfrecords_dir,
            "--alignments",
            alignments_dir,
            "--rows",
            "logmel",
            "--output-dir",
            tmp_path / "out",
        ],
    )
    _assert_one_line_error(
        status, captured, "utterance 101-7-0005: 255 phone labels of 10 ms but its 41650 samples make 260 frames"
    )


def test_split_utterances_missing_from_the_tfrecords_are_named(tone_corpus, run_main, tmp_path):
    tfrecords_dir, alignments_dir = tone_corpus
    with (alignments_dir / "test_split.txt").open("a") as split:
        split.write("999-9-0000\n")
    status, captured = run_main(
        main,
        [
            "speaker",
            "--tfrecords",
            tfrecords_dir,
            "--alignments",
            alignments_dir,
            "--rows",
            "logmel",
            "--output-dir",
            tmp_path / "out",
        ],
    )
    _assert_one_line_error(
        status,
        captured,
        f"{tfrecords_dir}: utterance 999-9-0000 (listed in test_split.txt) is not in this converted split",
    )


def test_a_folder_that_is_not_converted_is_named(tone_corpus, tmp_path, run_main):
    _, alignments_dir = tone_corpus
    status, captured = run_main(
        main,
        [
            "phone",
            "--tfrecords",
            tmp_path / "nowhere",
            "--alignments",
            alignments_dir,
            "--rows",
            "mfcc",
            "--output-dir",
            tmp_path / "out",
        ],
    )
    _assert_one_line_error(status, captured, "nowhere: TFRecord directory does not exist (run tfrecords.py first)")


def test_a_window_longer_than_every_utterance_is_refused(tone_corpus, run_main, tmp_path):
    tfrecords_dir, alignments_dir = tone_corpus
    status, captured = run_main(
        main,
        [
            "speaker",
            "--tfrecords",
            tfrecords_dir,
            "--alignments",
            alignments_dir,
            "--rows",
            "logmel",
            "--window",
            "50000",
            "--output-dir",
            tmp_path / "out",
        ],
    )
    _assert_one_line_error(status, captured, "--window 50000: no utterance of train_split.txt is that long")


def test_a_window_shorter_than_a_receptive_field_is_refused(tone_corpus, run_main, tmp_path):
    tfrecords_dir, alignments_dir = tone_corpus
    status, captured = run_main(
        main,
        [
            "speaker",
            "--tfrecords",
            tfrecords_dir,
            "--alignments",
            alignments_dir,
            "--rows",
            "logmel,mfcc",
            "--window",
            "1000",
            "--output-dir",
            tmp_path / "out",
        ],
    )
    message = "--window 1000 is shorter than the receptive field of the mfcc row (1680 samples)"
    _assert_one_line_error(status, captured, message)
