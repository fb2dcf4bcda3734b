"""CPC training throughput at the ``seed`` preset, fed in memory and by the real pipeline.

Prints windows per second (median of several timed runs after a warm-up) for one batch held
in memory (the model alone) and for the TFRecord input pipeline (so the pipeline's share
shows), this machine's float32 matmul rate measured in the same run, the fraction of it the
training reaches, and the peak RSS.

    python bench/train.py                # demo corpus, batch 64, window 20480
    python bench/train.py --data-dir ~/Data/tfrecords/train-clean-100
"""

import argparse
import pathlib
import statistics
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from models.runtime_environment import set_tensorflow_environment  # noqa: E402

set_tensorflow_environment()

from cpc_step import (  # noqa: E402
    build_model,
    demo_tfrecords,
    forward_flops_per_window,
    in_memory_windows,
    matmul_gflops,
    pipeline_windows,
    training_rates,
)
from timing import machine, peak_rss_mib  # noqa: E402

from models.encoder_spec import resolve_encoder_spec  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=pathlib.Path, help="a converted training split (default: the demo corpus)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--window", type=int, default=20480)
    parser.add_argument("--steps", type=int, default=30, help="training steps per timed run (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per measurement (default: %(default)s)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        data_dir = args.data_dir or demo_tfrecords(pathlib.Path(scratch))
        matmul = matmul_gflops()
        model = build_model()
        in_memory = training_rates(model, in_memory_windows(data_dir, args.batch_size, args.window), args.batch_size, args.steps, args.repeats)
        piped = training_rates(model, pipeline_windows(data_dir, args.batch_size, args.window), args.batch_size, args.steps, args.repeats)
        matmul += matmul_gflops()

    spec = resolve_encoder_spec("seed")
    train_flops = 3 * forward_flops_per_window(spec, args.window, dim_c=40, pred_steps=10, num_neg=10)
    matmul_rate = statistics.median(matmul)
    print(f"machine: {machine()}")
    print(f"seed preset, batch {args.batch_size}, window {args.window}, {args.steps} steps x {args.repeats} runs")
    for name, rates in (("in memory", in_memory), ("TFRecord pipeline", piped)):
        rate = statistics.median(rates)
        fraction = rate * train_flops / (matmul_rate * 1e9)
        print(f"{name:>17}: median {rate:.0f} windows/s ({', '.join(f'{r:.0f}' for r in rates)}); "
              f"{rate * train_flops / 1e9:.1f} GFLOP/s = {fraction:.1%} of matmul")
    print(f"pipeline / in-memory: {statistics.median(piped) / statistics.median(in_memory):.2f}")
    print(f"training FLOPs per window (3x forward): {train_flops / 1e6:.1f} MFLOP")
    print(f"float32 matmul rate: median {matmul_rate:.1f} GFLOP/s ({', '.join(f'{r:.0f}' for r in matmul)})")
    print(f"peak RSS: {peak_rss_mib():.0f} MiB")


if __name__ == "__main__":
    main()
