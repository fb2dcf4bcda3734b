"""Peak resident memory of conversion and of training, at 1x and 4x the demo corpus.

Neither should grow with the corpus: a conversion worker holds one utterance at a time, and
training streams its windows through a shuffle buffer of a fixed number of windows. For each
scale the script synthesizes the demo LibriSpeech (16 x scale training speakers, 4 x scale
development speakers) into a temporary folder, then runs, each as a child process measured on
its own:

* ``tfrecords.py train-clean-100`` and ``tfrecords.py dev-clean``: peak RSS of the whole
  conversion from ``os.wait4`` (the largest of the parent and the workers it waited for),
  and of the parent and of its largest worker separately, sampled from ``/proc/PID/status``
  (VmHWM) while it runs;
* ``train.py`` on that scale's TFRecords with a small fixed recipe: its peak RSS the same way.

Each figure is the median of several runs. The 4x/1x ratio is printed beside the growth in MiB
and the audio the corpus gained (as the int16 PCM the records hold), since a training process
of 2 GB that read the whole 4x demo corpus would still grow by only a few per cent.

    python -m bench.memory                      # 1x and 4x, 3 conversions and 3 trainings each
    python -m bench.memory --scales 1,2,4 --repeats 5 --train-repeats 3
"""

import cli.tensorflow_environment

import argparse
import json
import os
import pathlib
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from bench.timing import machine
from cli.usable_cores import usable_cores

REPO = pathlib.Path(__file__).resolve().parents[1]
SAMPLE_RATE = 16000
BYTES_PER_SAMPLE = 2
SAMPLE_SECONDS = 0.05


def synthesize(root: pathlib.Path, scale: int) -> list[str]:
    """The demo LibriSpeech at ``scale`` times its default speakers; returns the command run."""
    command = [
        sys.executable,
        "-m",
        "demo",
        "librispeech",
        str(root),
        "--train-speakers",
        str(16 * scale),
        "--dev-speakers",
        str(4 * scale),
    ]
    subprocess.run(command, check=True, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return command


def _status_kib(pid: int, field: str) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def _descendants(root: int) -> dict[int, str]:
    """Every living descendant of ``root``, with its command line."""
    parents = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as stat:
                # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
                parents[int(name)] = int(stat.read().rpartition(")")[2].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    found, frontier = {}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in found:
                try:
                    with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                        found[pid] = cmdline.read().replace(b"\0", b" ").decode(errors="replace")
                except OSError:
                    found[pid] = "?"
                frontier.append(pid)
    return found


def _measure(command: list[str], log: pathlib.Path) -> dict:
    """Runs ``command`` as a child and returns its peak RSS figures in MiB and its wall seconds.

    ``total``: ru_maxrss of ``os.wait4``, the largest of the child and of the descendants it
    waited for (exact). ``parent`` and ``worker``: the child's own VmHWM and the largest VmHWM
    of its pool workers, sampled every 50 ms while they live (a growth in the last 50 ms of a
    process's life would be missed). This process imports no TensorFlow and stays small: a
    forked child's ru_maxrss starts from its parent's RSS until it calls exec.
    """
    started = time.monotonic()
    with open(log, "w") as output:
        process = subprocess.Popen(command, cwd=REPO, stdout=output, stderr=subprocess.STDOUT)
    parent_kib, workers_kib, others = 0, {}, {}
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        parent_kib = max(parent_kib, _status_kib(process.pid, "VmHWM") or 0)
        for child, cmdline in _descendants(process.pid).items():
            hwm = _status_kib(child, "VmHWM") or 0
            target = workers_kib if "spawn_main" in cmdline and "resource_tracker" not in cmdline else others
            target[child] = max(target.get(child, 0), hwm)
        time.sleep(SAMPLE_SECONDS)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{shlex.join(command)} exited with {process.returncode}; its output:\n{log.read_text()}")
    return {
        "total": usage.ru_maxrss / 1024,
        "parent": parent_kib / 1024,
        "worker": max(workers_kib.values(), default=0) / 1024,
        "workers": len(workers_kib),
        "other": max(others.values(), default=0) / 1024,
        "seconds": time.monotonic() - started,
    }


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def _corpus(tfrecord_dir: pathlib.Path, window: int) -> dict:
    """Utterances, hours, int16 MiB and utterances holding a window, from manifest.json."""
    manifest = json.loads((tfrecord_dir / "manifest.json").read_text())
    lengths = [length for shard in manifest["shards"] for length in shard["num_samples"]]
    return {
        "utterances": len(lengths),
        "hours": sum(lengths) / SAMPLE_RATE / 3600,
        "mib": sum(lengths) * BYTES_PER_SAMPLE / 2**20,
        "usable": sum(length >= window for length in lengths),
        "shards": len(manifest["shards"]),
    }


def pipeline_defaults() -> dict:
    """Window and shuffle-buffer size of the training input, read from the code (imports TensorFlow in a child)."""
    probe = (
        "import dataclasses, json; from librispeech.input_pipeline import PipelineConfig; "
        "from pretraining.pretraining_config import PretrainingConfig; "
        "print(json.dumps({'shuffle_buffer': PipelineConfig().shuffle_buffer, "
        "'window': PretrainingConfig().data.window}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--scales", default="1,4", help="demo corpus sizes in multiples of the default (default: %(default)s)"
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="conversion runs per split and scale (default: %(default)s)"
    )
    parser.add_argument("--train-repeats", type=int, default=3, help="training runs per scale (default: %(default)s)")
    parser.add_argument(
        "--workers",
        type=int,
        default=usable_cores(),
        help="conversion worker processes (default: all cores, here %(default)s)",
    )
    parser.add_argument("--batch-size", type=int, default=32, help="training batch (default: %(default)s)")
    parser.add_argument("--steps", type=int, default=40, help="training steps, one epoch (default: %(default)s)")
    args = parser.parse_args()
    scales = [int(scale) for scale in args.scales.split(",")]

    defaults = pipeline_defaults()
    window, shuffle_buffer = defaults["window"], defaults["shuffle_buffer"]
    rows, commands = {}, {}
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as scratch:
        scratch = pathlib.Path(scratch)
        for scale in scales:
            base = scratch / f"x{scale}"
            root = base / "LibriSpeech"
            commands.setdefault("synthesize", synthesize(root, scale))
            data_dir = base / "tfrecords"
            row = {}
            for split in ("train-clean-100", "dev-clean"):
                runs = []
                for run in range(args.repeats):
                    output = data_dir / split if run == 0 else base / f"run{run}" / split
                    command = [
                        sys.executable,
                        "tfrecords.py",
                        split,
                        "--librispeech-dir",
                        str(root),
                        "--output-dir",
                        str(output),
                        "--workers",
                        str(args.workers),
                        "--quiet",
                    ]
                    runs.append(_measure(command, base / "convert.log"))
                    commands.setdefault(f"convert {split}", command)
                    if run:
                        shutil.rmtree(output.parent)
                row[split] = runs
                row[f"{split} corpus"] = _corpus(data_dir / split, window)
            train_runs = []
            for run in range(args.train_repeats):
                output = base / f"train{run}"
                command = [
                    sys.executable,
                    "train.py",
                    "--data-dir",
                    str(data_dir),
                    "--batch-size",
                    str(args.batch_size),
                    "--epochs",
                    "1",
                    "--steps-per-epoch",
                    str(args.steps),
                    "--val-steps",
                    "1",
                    "--output-dir",
                    str(output),
                ]
                train_runs.append(_measure(command, base / "train.log"))
                commands.setdefault("train", command)
                shutil.rmtree(output)
            row["train"] = train_runs
            rows[scale] = row
            shutil.rmtree(base)

    print(f"machine: {machine()}")
    print(f"command: {shlex.join([sys.executable, *sys.argv])}")
    print(
        f"runs: {args.repeats} conversions of each split, {args.train_repeats} trainings, per scale; "
        f"RSS figures are medians, in MiB; the child commands, at {scales[0]}x:"
    )
    for name, command in commands.items():
        print(f"  {name}: {shlex.join(command).replace(str(scratch), 'TMP')}")
    print()
    header = ("scale", "train utts", "hours", "int16 MiB", "conv. peak", "parent", "worker", "training peak")
    print(" | ".join(f"{title:>13}" for title in header))
    figures = {}
    for scale, row in rows.items():
        corpus, convert, train = row["train-clean-100 corpus"], row["train-clean-100"], row["train"]
        figures[scale] = (
            corpus["utterances"],
            corpus["hours"],
            corpus["mib"],
            _median(convert, "total"),
            _median(convert, "parent"),
            _median(convert, "worker"),
            _median(train, "total"),
        )
        print(
            " | ".join(
                [
                    f"{str(scale) + 'x':>13}",
                    f"{figures[scale][0]:>13}",
                    f"{figures[scale][1]:>13.2f}",
                    *(f"{value:>13.0f}" for value in figures[scale][2:]),
                ]
            )
        )
    low, high = min(scales), max(scales)
    if low != high:
        ratios = [figures[high][index] / figures[low][index] for index in range(len(figures[low]))]
        print(" | ".join([f"{f'{high}x/{low}x':>13}", *(f"{ratio:>13.2f}" for ratio in ratios)]))
        growth = [figures[high][index] - figures[low][index] for index in range(2, len(figures[low]))]
        print(
            " | ".join(
                [f"{f'{high}x-{low}x':>13}", f"{'':>13}", f"{'':>13}", *(f"{value:>+13.0f}" for value in growth)]
            )
        )

    print(
        "\nevery run (conversion of train-clean-100 / dev-clean: total, parent, largest worker MiB, seconds; "
        "training: peak MiB, seconds)"
    )
    for scale, row in rows.items():
        dev = row["dev-clean corpus"]
        print(
            f"  {scale}x train-clean-100 ({figures[scale][0]} utts, {row['train-clean-100 corpus']['shards']} shards): "
            + _runs(row["train-clean-100"])
        )
        print(
            f"  {scale}x dev-clean ({dev['utterances']} utts, {dev['hours']:.2f} h, {dev['shards']} shards): "
            + _runs(row["dev-clean"])
            + f"; median total {_median(row['dev-clean'], 'total'):.0f}"
        )
        print(
            f"  {scale}x training: " + ", ".join(f"{run['total']:.0f} ({run['seconds']:.0f} s)" for run in row["train"])
        )
        others = max(run["other"] for run in row["train-clean-100"] + row["dev-clean"])
        workers = max(run["workers"] for run in row["train-clean-100"] + row["dev-clean"])
        print(
            f"     {workers} pool workers seen per conversion; largest other descendant (resource tracker) "
            f"{others:.0f} MiB"
        )

    buffer_mib = shuffle_buffer * window * BYTES_PER_SAMPLE / 2**20
    print(f"\nshuffle buffer: at most {shuffle_buffer} int16 windows of {window} samples = {buffer_mib:.0f} MiB.")
    print(
        "train.py repeats the training split without end (PipelineConfig(repeat=True)) before the shuffle, so the "
        "buffer fills\nfrom several passes over a small split: the windows it holds do not depend on the corpus size."
    )
    for scale, row in rows.items():
        usable = row["train-clean-100 corpus"]["usable"]
        print(
            f"  {scale}x: {usable} utterances hold a window; buffer holds {shuffle_buffer} windows "
            f"({-(-shuffle_buffer // usable)} passes to fill it), {buffer_mib:.0f} MiB"
        )
    if low != high:
        measured = figures[high][6] - figures[low][6]
        added = figures[high][2] - figures[low][2]
        print(
            f"training {high}x-{low}x: {measured:+.0f} MiB measured; 0 MiB expected from the buffer; "
            f"{added:.0f} MiB if the added audio were held in memory"
        )


def _runs(runs: list[dict]) -> str:
    return ", ".join(
        f"{run['total']:.0f}/{run['parent']:.0f}/{run['worker']:.0f} ({run['seconds']:.1f} s)" for run in runs
    )


if __name__ == "__main__":
    main()
