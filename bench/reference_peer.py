"""Ours against the reference TF2 implementation: the `seed` preset's training speed.

Runs, in a fresh process each and interleaved per round so that a slower spell of the
machine hits all of them alike: the port of the reference (`bench.reference_tf2`) with
oneDNN off, the same with oneDNN on, and our default train step (`bench.train_ablation`'s
``onednn-patch`` variant), each training on one random batch held in memory. Prints the
median windows per second of each, its ratio to the reference's best median, every run, and
the ratio of ours to the reference's best against the target of 3×.

    python -m bench.reference_peer                       # 3 rounds, 2 runs of 15 steps each
    python -m bench.reference_peer --rounds 5 --steps 20
"""

import cli.tensorflow_environment

import argparse
import dataclasses
import json
import statistics
import sys

from bench.timing import child_lines, machine

TARGET = 3.0
"""Ours over the reference's best, as issue 20 asks."""


@dataclasses.dataclass(frozen=True)
class Peer:
    """One implementation as run by the comparison.

    Attributes:
        description: Its row name in the table.
        command: ``python -m`` arguments before the shared timing flags.
        onednn: ``TF_ENABLE_ONEDNN_OPTS`` of its process; our train step sets its own.
        reference: Whether it is a run of the reference port.
    """

    description: str
    command: tuple[str, ...]
    onednn: bool
    reference: bool


PEERS = (
    Peer("reference port, Eigen kernels", ("bench.reference_tf2",), onednn=False, reference=True),
    Peer("reference port, oneDNN", ("bench.reference_tf2",), onednn=True, reference=True),
    Peer(
        "ours (oneDNN + convolutions as matrix products)",
        ("bench.train_ablation", "--child", "onednn-patch"),
        onednn=True,
        reference=False,
    ),
)


def run_peer(peer: Peer, steps: int, repeats: int, batch_size: int, window: int) -> list[float]:
    """Windows per second of one fresh process of ``peer``, from its last stdout line."""
    flags = ["--steps", str(steps), "--repeats", str(repeats), "--batch-size", str(batch_size), "--window", str(window)]
    lines = child_lines(
        [sys.executable, "-m", *peer.command, *flags], {"TF_ENABLE_ONEDNN_OPTS": "1" if peer.onednn else "0"}
    )
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="processes per implementation (default: %(default)s)")
    parser.add_argument("--steps", type=int, default=15, help="training steps per timed run (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=2, help="timed runs per process (default: %(default)s)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--window", type=int, default=20480)
    args = parser.parse_args()

    rates = {peer: [] for peer in PEERS}
    for number in range(1, args.rounds + 1):
        for peer in PEERS:
            rates[peer] += run_peer(peer, args.steps, args.repeats, args.batch_size, args.window)
            runs = ", ".join(f"{rate:.0f}" for rate in rates[peer][-args.repeats :])
            print(f"round {number}/{args.rounds} {peer.description}: {runs}", file=sys.stderr)

    medians = {peer: statistics.median(rates[peer]) for peer in PEERS}
    reference_best = max(median for peer, median in medians.items() if peer.reference)
    print(f"machine: {machine()}")
    print(
        f"seed preset, batch {args.batch_size}, window {args.window}, one batch in memory; {args.rounds} processes x "
        f"{args.repeats} runs x {args.steps} steps per implementation, after {args.steps} warm-up steps each"
    )
    print("| implementation | windows/s (median) | ratio to the reference's best | all runs |")
    print("|---|---|---|---|")
    for peer in PEERS:
        print(
            f"| {peer.description} | {medians[peer]:.0f} | {medians[peer] / reference_best:.2f}× | "
            f"{', '.join(f'{rate:.0f}' for rate in rates[peer])} |"
        )
    ours = next(median for peer, median in medians.items() if not peer.reference)
    print(f"ours / reference best = {ours / reference_best:.2f}× (target ≥ {TARGET:g}×)")


if __name__ == "__main__":
    main()
