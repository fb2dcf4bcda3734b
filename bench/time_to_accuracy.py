"""Time to quality: training time until validation k=1 accuracy reaches a fixed level.

Windows per second alone rewards a step that is cheap but learns little; this benchmark times
what a user waits for. On the demo LibriSpeech corpus, each preset is pretrained with the
library (`pretraining.cpc_pretraining.pretrain`, the settings of `bench.budget`'s budgeted
`train.py` runs: batch 32, constant learning rate 1e-3, the preset's suggested sizes) with an
epoch of --validate-every steps, so that the whole validation split is scored that often.
Each validation records the seconds since the run started, the steps and windows trained and
the validation accuracy of the first prediction step (k=1); the run stops at the first
validation at or above --level, or when --budget-minutes of wall time are spent.

The time to the level is that of the first validation at or above it: an upper bound, late by
at most --validate-every steps, with no interpolation between validations that would assume
a shape of the curve. The seconds exclude the validation passes and the epoch-end work that
follows them (checkpoints, backups, logs, figures): they measure rather than train, and how
often they come depends on --validate-every, where a real run has long epochs; for `paper`
that work is seconds per epoch. The seconds include building the model and tracing its step,
which a user also waits for. The wall-clock budget counts everything.

The default level, 0.80, is one `seed` reaches on 2 cores in about 2 minutes: measured with
`train.py` (these settings, validation every 50 steps), validation k=1 accuracy was 0.72 after
56 s, first at or above 0.80 after 114 s, then 0.81-0.84 up to 0.84 after 4 min, where the
curve flattens (chance is 1/11). A higher level would fall in that plateau, where the noise of
one validation (about ±0.01) decides the crossing. `paper` gets the same budget, 6 minutes by
default, so that both presets together take at most about 15 minutes; on a CPU it may not get
there, and the table then says so with the best accuracy it reached (`BENCHMARKS.md` has the
figures).

    python -m bench.time_to_accuracy                          # seed and paper, 6 min each
    python -m bench.time_to_accuracy --runs 3 --presets seed  # median of 3 fresh processes
    python -m bench.time_to_accuracy --level 0.7 --budget-minutes 2

Prints the machine, the settings and a Markdown table; writes the figure of accuracy against
time (default: docs/benchmarks/time_to_accuracy.png).
"""

import cli.tensorflow_environment

import argparse
import dataclasses
import json
import math
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

from matplotlib.figure import Figure

from bench.budget import BATCH_SIZE, Plan, budget_flags
from bench.quality import run_stages
from bench.timing import machine

REPO = pathlib.Path(__file__).resolve().parents[1]
DEFAULT_LEVEL = 0.8
DEFAULT_PLOT = REPO / "docs" / "benchmarks" / "time_to_accuracy.png"


@dataclasses.dataclass(frozen=True)
class Validation:
    """One validation of a run.

    Attributes:
        seconds: Wall seconds since the run started, validation passes and epoch-end work
            excluded.
        steps: Training steps done.
        windows: Training windows seen (steps × batch size).
        accuracy: Validation accuracy of the first prediction step (k=1).
    """

    seconds: float
    steps: int
    windows: int
    accuracy: float


def crossing(curve: list[Validation], level: float) -> Validation | None:
    """The first validation at or above ``level``; None when the run never got there."""
    return next((point for point in curve if point.accuracy >= level), None)


def _validation_curve_callback(level: float, batch_size: int, started: float):
    import keras

    class ValidationCurve(keras.callbacks.Callback):
        """Records a `Validation` at every epoch end and stops training at the first at or above ``level``."""

        def __init__(self):
            super().__init__()
            self.curve: list[Validation] = []
            self.steps = 0
            self.validating = 0.0
            self._validation_started = 0.0

        def on_train_batch_end(self, batch, logs=None):
            self.steps += 1

        def on_test_begin(self, logs=None):
            self._validation_started = time.monotonic()

        def on_epoch_end(self, epoch, logs=None):
            # `pretrain` runs its own callbacks first, so their epoch-end work is done by now.
            now = time.monotonic()
            self.validating += now - self._validation_started
            seconds = now - started - self.validating
            accuracy = float(logs["val_accuracy_1"])
            self.curve.append(Validation(seconds, self.steps, self.steps * batch_size, accuracy))
            if accuracy >= level:
                self.model.stop_training = True

    return ValidationCurve()


def pretrain_to_level(
    preset: str,
    tfrecords: pathlib.Path,
    output: pathlib.Path,
    level: float,
    minutes: float,
    validate_every: int,
) -> list[Validation]:
    """Pretrains ``preset`` in this process until validation k=1 accuracy reaches ``level`` or ``minutes`` pass.

    The settings are `bench.budget.budget_flags` parsed as ``train.py`` parses them, so the run
    is a ``train.py`` run with a validation every ``validate_every`` steps.

    Returns:
        The validations, in order.
    """
    from pretraining.config_flags import add_config_arguments, config_from_args
    from pretraining.cpc_pretraining import pretrain
    from pretraining.resolved_pretraining import resolve

    parser = argparse.ArgumentParser()
    add_config_arguments(parser)
    flags = budget_flags(tfrecords, output, minutes, steps_per_epoch=validate_every)
    config = config_from_args(parser.parse_args([*flags, "--encoder", preset]))
    started = time.monotonic()
    watch = _validation_curve_callback(level, config.optimisation.batch_size, started)
    pretrain(resolve(config), verbose=0, extra_callbacks=[watch])
    return watch.curve


@dataclasses.dataclass(frozen=True)
class Row:
    """One preset's line of the table, from one run or the median of several.

    Attributes:
        preset: The encoder preset.
        seconds: Time to the level (`crossing`); infinite when it was not reached.
        steps: Steps to the level, or of the whole run when it was not reached.
        windows: Windows to the level, or of the whole run.
        windows_per_second: Windows over seconds of the whole run (validation excluded).
        best: The best validation k=1 accuracy reached.
    """

    preset: str
    seconds: float
    steps: float
    windows: float
    windows_per_second: float
    best: float


def row(preset: str, curves: list[list[Validation]], level: float) -> Row:
    """The table line of ``preset``'s runs: each figure the median over runs.

    A run that did not reach the level counts as infinitely slow, so the median time is
    finite only when most runs got there.
    """
    reached = [crossing(curve, level) for curve in curves]
    ends = [point or curve[-1] for point, curve in zip(reached, curves, strict=True)]
    return Row(
        preset,
        statistics.median(math.inf if point is None else point.seconds for point in reached),
        statistics.median(point.steps for point in ends),
        statistics.median(point.windows for point in ends),
        statistics.median(curve[-1].windows / curve[-1].seconds for curve in curves),
        max(point.accuracy for curve in curves for point in curve),
    )


def table(rows: list[Row], level: float, minutes: float) -> str:
    """The Markdown table of the rows."""
    lines = [
        f"| preset | time to k=1 accuracy {level:g} (s) | steps | windows | windows/s |",
        "|---|---:|---:|---:|---:|",
    ]
    for line in rows:
        time_cell = (
            f"{line.seconds:.0f}"
            if math.isfinite(line.seconds)
            else f"not reached in {minutes:g} min (best {line.best:.3f})"
        )
        lines.append(
            f"| {line.preset} | {time_cell} | {line.steps:.0f} | {line.windows:.0f} | {line.windows_per_second:.0f} |"
        )
    return "\n".join(lines)


def plot(curves: dict[str, list[list[Validation]]], level: float, path: pathlib.Path, corpus: str) -> None:
    """Validation k=1 accuracy against seconds, a line per run (a colour per preset), and the level."""
    figure = Figure(figsize=(7, 4.5))
    axes = figure.subplots()
    for colour, (preset, runs) in enumerate(curves.items()):
        for number, curve in enumerate(runs):
            axes.plot(
                [point.seconds for point in curve],
                [point.accuracy for point in curve],
                marker=".",
                color=f"C{colour}",
                label=preset if number == 0 else None,
            )
    axes.axhline(level, color="black", linestyle="--", linewidth=1, label=f"level {level:g}")
    axes.set_xlabel("wall time, validation excluded (s)")
    axes.set_ylabel("validation accuracy, k=1")
    axes.set_title(f"Time to accuracy, {corpus}")
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=120)


def _child_run(preset: str, arguments: argparse.Namespace, tfrecords: pathlib.Path, output: pathlib.Path):
    """One preset's run in a fresh process (TensorFlow's thread pools and graphs start anew); its curve."""
    child = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.time_to_accuracy",
            "--child",
            preset,
            "--data-dir",
            str(tfrecords),
            "--output-dir",
            str(output),
            "--level",
            str(arguments.level),
            "--budget-minutes",
            str(arguments.budget_minutes),
            "--validate-every",
            str(arguments.validate_every),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
    )
    if child.returncode != 0:
        print("\n".join(child.stderr.splitlines()[-15:]), file=sys.stderr)
        raise SystemExit(f"error: the {preset} run failed with exit code {child.returncode}")
    return [Validation(**point) for point in json.loads(child.stdout.strip().splitlines()[-1])]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.time_to_accuracy",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--presets", default="seed,paper", help="comma-separated presets (default: %(default)s)")
    parser.add_argument(
        "--level", type=float, default=DEFAULT_LEVEL, help="validation k=1 accuracy to reach (default: %(default)s)"
    )
    parser.add_argument(
        "--budget-minutes", type=float, default=6, help="wall-time budget of each run (default: %(default)s)"
    )
    parser.add_argument(
        "--runs", type=int, default=1, help="runs per preset, interleaved; the median is reported (default: 1)"
    )
    parser.add_argument(
        "--validate-every", type=int, default=25, help="training steps between validations (default: %(default)s)"
    )
    parser.add_argument(
        "--plot", type=pathlib.Path, default=DEFAULT_PLOT, help="the figure's path (default: %(default)s)"
    )
    parser.add_argument(
        "--data-dir",
        type=pathlib.Path,
        help="a TFRecord root holding train-clean-100 and dev-clean (default: the demo corpus, made anew)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--output-dir", type=pathlib.Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    if not 0 < arguments.level < 1:
        parser.error(f"--level must lie between 0 and 1, got {arguments.level}")
    if arguments.runs < 1 or arguments.validate_every < 1 or not arguments.budget_minutes > 0:
        parser.error("--runs and --validate-every must be at least 1 and --budget-minutes positive")
    if arguments.child:
        curve = pretrain_to_level(
            arguments.child,
            arguments.data_dir,
            arguments.output_dir,
            arguments.level,
            arguments.budget_minutes,
            arguments.validate_every,
        )
        print(json.dumps([dataclasses.asdict(point) for point in curve]))
        return 0

    presets = arguments.presets.split(",")
    curves = {preset: [] for preset in presets}
    with tempfile.TemporaryDirectory(prefix="time-to-accuracy-") as scratch:
        tfrecords = arguments.data_dir
        if tfrecords is None:
            plan = Plan(pathlib.Path(scratch))
            run_stages(plan.librispeech_data(), pathlib.Path(scratch) / "logs")
            tfrecords = plan.tfrecords
        for number in range(1, arguments.runs + 1):
            # Interleaving the presets spreads a slower spell of the machine over all of them.
            for preset in presets:
                output = pathlib.Path(scratch) / f"{preset}-{number}"
                curves[preset].append(_child_run(preset, arguments, tfrecords, output))
                reached = crossing(curves[preset][-1], arguments.level)
                outcome = "not reached" if reached is None else f"reached after {reached.seconds:.0f} s"
                print(f"run {number}/{arguments.runs} {preset}: {outcome}", file=sys.stderr, flush=True)

    rows = [row(preset, curves[preset], arguments.level) for preset in presets]
    corpus = "demo LibriSpeech" if arguments.data_dir is None else str(arguments.data_dir)
    plot(curves, arguments.level, arguments.plot, corpus)
    print(f"machine: {machine()}")
    print(
        f"{corpus}, batch {BATCH_SIZE}, constant learning rate 1e-3, validation every "
        f"{arguments.validate_every} steps; level: validation k=1 accuracy {arguments.level:g}; budget "
        f"{arguments.budget_minutes:g} min per run"
        + (f"; median of {arguments.runs} runs per preset" if arguments.runs > 1 else "")
    )
    print(table(rows, arguments.level, arguments.budget_minutes))
    print(f"figure: {arguments.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
