"""CPC training throughput at the ``seed`` preset, fed in memory and by the real pipeline.

Prints windows per second (median of several timed runs after a warm-up) for one batch held
in memory (the model alone) and for the TFRecord input pipeline (so the pipeline's share
shows), this machine's float32 matmul rate measured in the same run, the fraction of it the
training reaches, and the peak RSS.

    python -m bench.train                # demo corpus, batch 64, window 20480
    python -m bench.train --data-dir ~/Data/tfrecords/train-clean-100
"""

import cli.tensorflow_environment

import argparse
import pathlib
import statistics
import tempfile

from bench.cpc_step import (
    build_model,
    forward_flops_per_window,
    in_memory_windows,
    matmul_gflops,
    pipeline_windows,
    training_rates,
)
from bench.demo_data import demo_tfrecords
from bench.timing import machine, peak_rss_mib
from librispeech.input_pipeline import PipelineConfig
from models.encoder_spec import resolve_encoder_spec


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=pathlib.Path, help="a converted training split (default: the demo corpus)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--window", type=int, default=20480)
    parser.add_argument(
        "--crops-per-utterance",
        type=int,
        default=PipelineConfig.crops_per_utterance,
        help="training windows per utterance read (default: %(default)s, train.py's)",
    )
    parser.add_argument("--steps", type=int, default=20, help="training steps per timed run (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=2, help="timed runs per fit (default: %(default)s)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=8,
        help="alternations of an in-memory fit and a pipeline fit (default: %(default)s)",
    )
    args = parser.parse_args()

    in_memory, piped, matmul = [], [], []
    with tempfile.TemporaryDirectory() as scratch:
        data_dir = args.data_dir or demo_tfrecords(pathlib.Path(scratch))
        model = build_model()
        held = in_memory_windows(data_dir, args.batch_size, args.window)
        streamed = pipeline_windows(data_dir, args.batch_size, args.window, args.crops_per_utterance)
        # Alternating the two inputs spreads a slower spell of the machine over both.
        for _ in range(args.rounds):
            matmul += matmul_gflops()
            in_memory += training_rates(model, held, args.batch_size, args.steps, args.repeats)
            piped += training_rates(model, streamed, args.batch_size, args.steps, args.repeats)

    spec = resolve_encoder_spec("seed")
    train_flops = 3 * forward_flops_per_window(spec, args.window, dim_c=40, pred_steps=10, num_neg=10)
    matmul_rate = statistics.median(matmul)
    print(f"machine: {machine()}")
    print(
        f"seed preset, batch {args.batch_size}, window {args.window}, {args.crops_per_utterance} crops per "
        f"utterance read, {args.rounds} rounds x {args.repeats} runs "
        f"x {args.steps} steps per input"
    )
    for name, rates in (("in memory", in_memory), ("TFRecord pipeline", piped)):
        rate = statistics.median(rates)
        fraction = rate * train_flops / (matmul_rate * 1e9)
        print(
            f"{name:>17}: median {rate:.0f} windows/s ({', '.join(f'{r:.0f}' for r in rates)}); "
            f"{rate * train_flops / 1e9:.1f} GFLOP/s = {fraction:.1%} of matmul"
        )
    per_round = [
        statistics.median(piped[start : start + args.repeats])
        / statistics.median(in_memory[start : start + args.repeats])
        for start in range(0, len(piped), args.repeats)
    ]
    # The per-round ratio pairs runs a few seconds apart, so a slower spell of the machine
    # lowers both of its rates; its median is the headline figure.
    print(
        f"pipeline / in-memory: {statistics.median(per_round):.2f} median of rounds "
        f"({', '.join(f'{ratio:.2f}' for ratio in per_round)}); "
        f"{statistics.median(piped) / statistics.median(in_memory):.2f} ratio of medians"
    )
    print(f"training FLOPs per window (3x forward): {train_flops / 1e6:.1f} MFLOP")
    print(f"float32 matmul rate: median {matmul_rate:.1f} GFLOP/s ({', '.join(f'{r:.0f}' for r in matmul)})")
    print(f"peak RSS: {peak_rss_mib():.0f} MiB")


if __name__ == "__main__":
    main()
