"""Input-pipeline throughput against what training consumes, measured in one run.

Times the TFRecord pipeline alone (random crops, normalisation, shuffle, batches of 64
windows of 20480 samples) and the seed-preset training step fed from memory; the pipeline
should deliver at least 10x what training consumes.

    python -m bench.input_pipeline
"""

import cli.tensorflow_environment

import argparse
import pathlib
import statistics
import tempfile
import time

from bench.cpc_step import build_model, in_memory_windows, pipeline_windows, training_rates
from bench.demo_data import demo_tfrecords
from bench.timing import machine


def pipeline_rates(dataset, batch_size: int, batches: int, repeats: int) -> tuple[list[float], list[float]]:
    """Windows per second of ``repeats`` timed runs, and the CPU milliseconds per batch of each."""
    iterator = iter(dataset)
    for _ in range(batches):
        next(iterator)
    rates, cpu_per_batch = [], []
    for _ in range(repeats):
        started, cpu_started = time.perf_counter(), time.process_time()
        for _ in range(batches):
            next(iterator)
        rates.append(batches * batch_size / (time.perf_counter() - started))
        cpu_per_batch.append((time.process_time() - cpu_started) / batches * 1000)
    return rates, cpu_per_batch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=pathlib.Path, help="a converted training split (default: the demo corpus)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--window", type=int, default=20480)
    parser.add_argument("--batches", type=int, default=100, help="batches per timed run (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs (default: %(default)s)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        data_dir = args.data_dir or demo_tfrecords(pathlib.Path(scratch))
        pipeline, cpu = pipeline_rates(
            pipeline_windows(data_dir, args.batch_size, args.window), args.batch_size, args.batches, args.repeats
        )
        single, single_cpu = pipeline_rates(
            pipeline_windows(data_dir, args.batch_size, args.window, 1), args.batch_size, args.batches, args.repeats
        )
        training = training_rates(
            build_model(), in_memory_windows(data_dir, args.batch_size, args.window), args.batch_size, 30, args.repeats
        )

    print(f"machine: {machine()}")
    print(
        f"input pipeline: median {statistics.median(pipeline):.0f} windows/s "
        f"({', '.join(f'{r:.0f}' for r in pipeline)}), "
        f"{statistics.median(cpu):.1f} ms CPU per batch"
    )
    print(
        f"same, 1 crop per utterance read: median {statistics.median(single):.0f} windows/s "
        f"({', '.join(f'{r:.0f}' for r in single)}), {statistics.median(single_cpu):.1f} ms CPU per batch"
    )
    print(
        f"training (in memory): median {statistics.median(training):.0f} windows/s "
        f"({', '.join(f'{r:.0f}' for r in training)})"
    )
    print(f"pipeline / training: {statistics.median(pipeline) / statistics.median(training):.1f}x (target >= 10x)")


if __name__ == "__main__":
    main()
