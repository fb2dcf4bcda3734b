"""Augmentation of the past inside tf.data against training fed from memory, measured in one run.

For each preset, `train.py`'s own model and input pipeline (built from the same settings, with
`--augment`: pitch, noise, reverb and band reject, each at probability 0.5) train for a few
steps; the same model is also fed one held (augmented, clean) batch pair, so the step costs
the same and the input nothing, and the clean pipeline (no augmentation) shows what the
augmentation costs. The three inputs alternate over several rounds so that a slower spell of
the machine falls on all of them. The target of issue 15: the augmenting pipeline trains at
≥ 0.95× the in-memory rate. The augmenting pipeline alone (no training) is timed too.

    python -m bench.augmentation                       # seed and modified-small, batch 32
    python -m bench.augmentation --presets seed --rounds 8
"""

import cli.tensorflow_environment

import argparse
import pathlib
import statistics
import sys
import tempfile
import time

import keras
import tensorflow as tf

from bench.cpc_step import training_rates
from bench.demo_data import demo_tfrecords
from bench.timing import machine, peak_rss_mib
from librispeech.input_pipeline import audio_windows
from pretraining.cpc_pretraining import training_model, training_pipeline
from pretraining.pretraining_config import PretrainingConfig
from pretraining.resolved_pretraining import resolve

INPUTS = ("in memory", "clean pipeline", "augmenting pipeline")


def _resolved(data_dir: pathlib.Path, preset: str, batch_size: int, augment: str | None):
    split = data_dir.name
    return resolve(
        PretrainingConfig().replace(
            data_dir=data_dir.parent,
            train_split=split,
            val_split=split,
            encoder=preset,
            batch_size=batch_size,
            augment=augment,
            seed=0,
        )
    )


def pipeline_alone(dataset: tf.data.Dataset, batches: int) -> float:
    """Batches per second the pipeline delivers with nothing else running, after a warm-up."""
    iterator = iter(dataset)
    for _ in range(batches // 4):
        next(iterator)
    started = time.perf_counter()
    for _ in range(batches):
        next(iterator)
    return batches / (time.perf_counter() - started)


def measure(data_dir: pathlib.Path, preset: str, arguments: argparse.Namespace) -> dict[str, list[float]]:
    """Windows per second of each input, over the rounds, plus the pipeline alone (batches/s)."""
    augmented = _resolved(data_dir, preset, arguments.batch_size, arguments.augment)
    clean = _resolved(data_dir, preset, arguments.batch_size, None)
    keras.utils.set_random_seed(0)
    model = training_model(augmented)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    streamed = audio_windows(augmented.train_dirs, training_pipeline(augmented), training=True)
    plain = audio_windows(clean.train_dirs, training_pipeline(clean), training=True)
    held = tf.data.Dataset.from_tensors(next(iter(streamed))).repeat()
    # The clean pipeline yields single batches; the model then scores contexts and targets of the same audio.
    inputs = dict(zip(INPUTS, (held, plain, streamed), strict=True))
    rates: dict[str, list[float]] = {name: [] for name in INPUTS}
    for _ in range(arguments.rounds):
        for name, dataset in inputs.items():
            rates[name] += training_rates(model, dataset, arguments.batch_size, arguments.steps, arguments.repeats)
    rates["pipeline alone (batches/s)"] = [
        pipeline_alone(streamed, 4 * arguments.steps) for _ in range(arguments.repeats)
    ]
    return rates


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.augmentation", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--presets", default="seed,modified-small", help="encoders measured (default: %(default)s)")
    parser.add_argument("--augment", default="default", help="the --augment of train.py (default: %(default)s)")
    parser.add_argument("--batch-size", type=int, default=32, help="windows per batch (default: %(default)s)")
    parser.add_argument("--steps", type=int, default=20, help="training steps per timed run (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=2, help="timed runs per input and round (default: %(default)s)")
    parser.add_argument("--rounds", type=int, default=4, help="alternations of the three inputs (default: %(default)s)")
    arguments = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        data_dir = demo_tfrecords(pathlib.Path(scratch))
        results = {preset: measure(data_dir, preset, arguments) for preset in arguments.presets.split(",")}
    print(f"machine: {machine()}")
    print(
        f"--augment {arguments.augment}, batch {arguments.batch_size}, window 20480, {arguments.rounds} rounds x "
        f"{arguments.repeats} runs x {arguments.steps} steps per input"
    )
    for preset, rates in results.items():
        memory = statistics.median(rates["in memory"])
        for name, values in rates.items():
            unit = "" if "batches" in name else " windows/s"
            print(
                f"{preset:>15} {name:>27}: median {statistics.median(values):.1f}{unit} "
                f"({', '.join(f'{value:.1f}' for value in values)})"
            )
        for name in INPUTS[1:]:
            per_round = [
                statistics.median(rates[name][start : start + arguments.repeats])
                / statistics.median(rates["in memory"][start : start + arguments.repeats])
                for start in range(0, len(rates[name]), arguments.repeats)
            ]
            print(
                f"{preset:>15} {name + ' / in memory':>27}: {statistics.median(per_round):.2f} median of rounds "
                f"({', '.join(f'{ratio:.2f}' for ratio in per_round)}); "
                f"{statistics.median(rates[name]) / memory:.2f} ratio of medians"
            )
    print(f"peak RSS: {peak_rss_mib():.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
