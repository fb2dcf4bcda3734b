"""Training speed of the PyTorch CPC reference: windows per second of timed runs of steps.

Prints a line naming torch and its threads, then, as its last line, a JSON list of the
windows per second of each timed run.
"""

import argparse
import json
import os
import time

import torch

from bench.pytorch_cpc.cpc_model import CPCModel


def training_rates(model: CPCModel, audio: torch.Tensor, steps: int, repeats: int, seed: int) -> list[float]:
    """Windows per second of ``repeats`` consecutive runs of ``steps`` Adam steps on ``audio``.

    As `bench.cpc_step.training_rates`: the runs follow ``steps`` warm-up steps, and each run
    is timed from the end of the step before it to the end of its last step.
    """
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    generator = torch.Generator().manual_seed(seed)
    ends = [time.perf_counter()]
    for _ in range(steps * (1 + repeats)):
        optimizer.zero_grad(set_to_none=True)
        model.loss(audio, generator).backward()
        optimizer.step()
        ends.append(time.perf_counter())
    ends = ends[steps:]
    return [steps * audio.shape[0] / (ends[(run + 1) * steps] - ends[run * steps]) for run in range(repeats)]


def usable_cores() -> int:
    """Cores in this process's CPU affinity mask where the system has one (Linux), else all cores."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--architecture", required=True, help="JSON of bench.pytorch_cpc.architecture.architecture")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--window", type=int, default=20480)
    parser.add_argument("--steps", type=int, default=20, help="training steps per timed run (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=2, help="timed runs (default: %(default)s)")
    parser.add_argument("--threads", type=int, default=usable_cores(), help="intra-op threads (default: usable cores)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    model = CPCModel(json.loads(args.architecture))
    model.train()
    generator = torch.Generator().manual_seed(args.seed)
    audio = torch.rand((args.batch_size, args.window), generator=generator) * 2 - 1
    rates = training_rates(model, audio, args.steps, args.repeats, args.seed + 1)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    print(json.dumps(rates))


if __name__ == "__main__":
    main()
