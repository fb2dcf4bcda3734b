"""bench.time_to_accuracy: the crossing, the table and figure, and a short run of the command."""

import math

import numpy as np
import pytest
import soundfile

from bench import time_to_accuracy
from bench.time_to_accuracy import Validation, crossing, plot, row, table
from librispeech.split_converter import ConversionConfig, convert_split

# The first validations of a `seed` run on the demo corpus (50 steps between them, 2 cores).
SEED_CURVE = [
    Validation(5.5, 50, 1600, 0.3428),
    Validation(56.0, 600, 19200, 0.7240),
    Validation(68.4, 750, 24000, 0.7716),
    Validation(72.0, 800, 25600, 0.7476),
    Validation(106.2, 1200, 38400, 0.7986),
    Validation(113.9, 1300, 41600, 0.8062),
    Validation(117.8, 1350, 43200, 0.8043),
]


def test_the_crossing_is_the_first_validation_at_or_above_the_level():
    assert crossing(SEED_CURVE, 0.8) == SEED_CURVE[5]
    # A later dip below the level does not move the crossing back.
    assert crossing(SEED_CURVE, 0.75) == SEED_CURVE[2]
    assert crossing(SEED_CURVE, 0.7986) == SEED_CURVE[4]


def test_a_level_never_reached_has_no_crossing():
    assert crossing(SEED_CURVE, 0.81) is None
    assert crossing([], 0.5) is None


def test_a_row_holds_the_crossing_of_one_run_and_the_runs_rate():
    line = row("seed", [SEED_CURVE], 0.8)
    assert (line.seconds, line.steps, line.windows, line.best) == (113.9, 1300, 41600, 0.8062)
    assert line.windows_per_second == pytest.approx(43200 / 117.8)


def test_a_row_not_reached_shows_the_whole_run_and_the_best_accuracy():
    line = row("paper", [SEED_CURVE[:4]], 0.8)
    assert line.seconds == math.inf
    assert (line.steps, line.windows, line.best) == (800, 25600, 0.7716)


def test_the_median_over_runs_counts_a_run_that_missed_as_infinitely_slow():
    faster = [Validation(point.seconds / 2, point.steps, point.windows, point.accuracy) for point in SEED_CURVE]
    assert row("seed", [SEED_CURVE, faster, SEED_CURVE[:4]], 0.8).seconds == 113.9
    assert row("seed", [SEED_CURVE, SEED_CURVE[:4], SEED_CURVE[:4]], 0.8).seconds == math.inf


def test_the_table_says_when_the_level_was_not_reached():
    text = table([row("seed", [SEED_CURVE], 0.8), row("paper", [SEED_CURVE[:4]], 0.8)], 0.8, 6)
    assert text.splitlines() == [
        "| preset | time to k=1 accuracy 0.8 (s) | steps | windows | windows/s |",
        "|---|---:|---:|---:|---:|",
        "| seed | 114 | 1300 | 41600 | 367 |",
        "| paper | not reached in 6 min (best 0.772) | 800 | 25600 | 356 |",
    ]


def test_the_figure_is_written(tmp_path):
    path = tmp_path / "figures" / "time.png"
    plot({"seed": [SEED_CURVE, SEED_CURVE[:3]], "paper": [SEED_CURVE[:4]]}, 0.8, path, "demo LibriSpeech")
    assert path.read_bytes().startswith(b"\x89PNG")


def _convert_tones(root, split, speakers):
    """A LibriSpeech split of 8 tones in noise of 1.5 s per speaker, converted: 8 windows of 20480 per speaker."""
    rng = np.random.default_rng(speakers[0])
    for speaker in speakers:
        chapter = root / split / str(speaker) / "5"
        chapter.mkdir(parents=True)
        ids = [f"{speaker}-5-{index:04d}" for index in range(8)]
        for index, utterance in enumerate(ids):
            tone = np.sin(np.arange(24000) * (0.05 + 0.01 * index + 0.003 * speaker)) * 8000
            soundfile.write(chapter / f"{utterance}.flac", (tone + rng.normal(0, 500, 24000)).astype(np.int16), 16000)
        (chapter / f"{speaker}-5.trans.txt").write_text("".join(f"{utterance} X\n" for utterance in ids))
    convert_split(ConversionConfig(root, split, shards=2, workers=1, show_progress=False))


@pytest.mark.slow
def test_a_short_run_prints_the_settings_and_table_and_writes_the_figure(tmp_path, capsys):
    _convert_tones(tmp_path / "LibriSpeech", "train-clean-100", (1, 2, 3, 4))
    _convert_tones(tmp_path / "LibriSpeech", "dev-clean", (5, 6, 7, 8))
    figure = tmp_path / "time.png"
    argv = ["--presets", "seed", "--data-dir", str(tmp_path / "tfrecords"), "--level", "0.999"]
    argv += ["--budget-minutes", "0.15", "--validate-every", "4", "--plot", str(figure)]
    assert time_to_accuracy.main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("machine: ")
    assert "validation every 4 steps; level: validation k=1 accuracy 0.999; budget 0.15 min" in lines[1]
    assert lines[2] == "| preset | time to k=1 accuracy 0.999 (s) | steps | windows | windows/s |"
    cells = [cell.strip() for cell in lines[4].strip("|").split("|")]
    assert cells[0] == "seed"
    assert cells[1].startswith("not reached in 0.15 min (best 0.")
    steps, windows, rate = int(cells[2]), int(cells[3]), int(cells[4])
    assert steps >= 4 and windows == 32 * steps and rate > 0
    assert figure.read_bytes().startswith(b"\x89PNG")
