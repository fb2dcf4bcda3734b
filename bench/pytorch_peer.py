"""Our CPC train step against a PyTorch reference of the same model (`bench.pytorch_cpc`).

Trains one preset's model (its convolutions, context size, recurrent cell and layers,
prediction steps and negatives; linear predictor, negatives within the window) on one
random batch held in memory, ours with TensorFlow as the code runs by default
(`bench.train_ablation`'s ``onednn-patch`` variant) and the reference with CPU PyTorch in
``.venv-torch/`` (created on the first run). Each measurement is a fresh process, and the
two alternate over the rounds so that a slower spell of the machine hits both alike. Prints
the machine, the settings, a Markdown table of windows per second and, from the FLOPs of a
window's training step, what fraction of our process's float32 matrix-product rate each
implementation reaches.

    python -m bench.pytorch_peer                              # paper preset, batch 32, 3 rounds
    python -m bench.pytorch_peer --preset modified --rounds 5
"""

import cli.tensorflow_environment

import argparse
import json
import statistics
import sys

from bench.pytorch_cpc.architecture import architecture
from bench.pytorch_cpc.environment import torch_python
from bench.timing import child_lines, machine
from cli.reported_errors import run_reporting_errors
from cli.usable_cores import usable_cores

OURS_VARIANT = "onednn-patch"
"""The `bench.train_ablation` variant that runs the train step as the toolkit does by default."""
TARGET = 1.5
"""Ours over the reference for the paper preset at batch 32, as issue 20 asks."""


def training_flops_per_window(preset: str, window: int) -> int:
    """FLOPs of one window's training step, three times its forward pass."""
    from bench.cpc_step import forward_flops_per_window
    from models.encoder_spec import resolve_encoder_spec

    sizes = architecture(preset)
    forward = forward_flops_per_window(
        resolve_encoder_spec(preset),
        window,
        sizes["dim_c"],
        sizes["pred_steps"],
        sizes["num_neg"],
        sizes["t_skip"],
        cell=sizes["ar"],
        ar_layers=sizes["ar_layers"],
    )
    return 3 * forward


def _listed(rates: list[float]) -> str:
    return ", ".join(f"{rate:.1f}" for rate in rates)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", default="paper", help="the preset whose model both train (default: %(default)s)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--window", type=int, default=20480)
    parser.add_argument(
        "--rounds", type=int, default=3, help="processes per implementation, alternated (default: %(default)s)"
    )
    parser.add_argument("--steps", type=int, default=10, help="training steps per timed run (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=2, help="timed runs per process (default: %(default)s)")
    args = parser.parse_args()

    sizes = architecture(args.preset)
    torch = str(torch_python())
    cores = usable_cores()
    timing = ["--steps", str(args.steps), "--repeats", str(args.repeats)]
    shape = ["--batch-size", str(args.batch_size), "--window", str(args.window)]
    ours_command = [sys.executable, "-m", "bench.train_ablation", "--child", OURS_VARIANT, "--matmul"]
    ours_command += ["--encoder", args.preset, *shape, *timing]
    torch_command = [torch, "-m", "bench.pytorch_cpc", "--architecture", json.dumps(sizes), "--threads", str(cores)]
    torch_command += [*shape, *timing]

    rates = {"ours": [], "torch": []}
    matmul, torch_version = [], ""
    for number in range(1, args.rounds + 1):
        # Alternating which goes first keeps a drift of the machine's speed from favouring one.
        for name in ("ours", "torch") if number % 2 else ("torch", "ours"):
            if name == "ours":
                measured = json.loads(child_lines(ours_command)[-1])
                rates["ours"] += measured["windows_per_s"]
                matmul += measured["matmul_gflops"]
            else:
                torch_version, last = child_lines(torch_command)[-2:]
                rates["torch"] += json.loads(last)
            print(
                f"round {number}/{args.rounds} {name}: {_listed(rates[name][-args.repeats :])}",
                file=sys.stderr,
            )

    flops = training_flops_per_window(args.preset, args.window)
    matmul_rate = statistics.median(matmul)
    print(f"machine: {machine()}; PyTorch: {torch_version}")
    print(
        f"{args.preset} preset ({sizes['ar']} x {sizes['ar_layers']}, dim_c {sizes['dim_c']}, "
        f"{sizes['pred_steps']} steps, {sizes['num_neg']} negatives within the window, linear predictor), "
        f"batch {args.batch_size}, window {args.window}; {args.rounds} processes x {args.repeats} runs x "
        f"{args.steps} steps per implementation, one batch held in memory"
    )
    reference = statistics.median(rates["torch"])
    print("| implementation | windows/s (median) | ratio to PyTorch | all runs |")
    print("|---|---|---|---|")
    for name, label in (("ours", "ours (TensorFlow)"), ("torch", "PyTorch reference")):
        median = statistics.median(rates[name])
        print(f"| {label} | {median:.1f} | {median / reference:.2f}× | {_listed(rates[name])} |")
    ratio = statistics.median(rates["ours"]) / reference
    print(f"\nours / PyTorch reference: {ratio:.2f}× (target for the paper preset at batch 32: {TARGET}×)")
    print(
        f"training step: {flops / 1e9:.2f} GFLOP per window (3 × forward); float32 matrix products in our "
        f"process: {matmul_rate:.0f} GFLOP/s (median)"
    )
    for name, label in (("ours", "ours"), ("torch", "PyTorch reference")):
        gflops = flops * statistics.median(rates[name]) / 1e9
        print(f"{label}: {gflops:.0f} GFLOP/s of training, {gflops / matmul_rate:.0%} of the matrix-product rate")
    return 0


if __name__ == "__main__":
    # An unknown preset or an environment that cannot be made is one error line, status 2.
    sys.exit(run_reporting_errors(main))
