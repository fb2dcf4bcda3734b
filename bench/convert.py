"""Conversion throughput of tfrecords.py against the decode-only limit, measured in one run.

The decode-only limit reads the same FLAC files with soundfile in the same number of worker
processes and does nothing else; conversion should reach at least 80 % of its throughput.

    python -m bench.convert                      # demo corpus synthesized at 4x its default size
    python -m bench.convert --librispeech-dir ~/Data/LibriSpeech --split dev-clean
"""

import cli.tensorflow_environment

import argparse
import multiprocessing
import pathlib
import statistics
import subprocess
import sys
import tempfile

import soundfile

from bench.timing import machine, timed_median
from cli.usable_cores import usable_cores
from librispeech.split_converter import ConversionConfig, convert_split
from librispeech.split_scan import scan_split


def decode_files(paths: list[str]) -> int:
    return sum(len(soundfile.read(path, dtype="int16")[0]) for path in paths)


def decode_only(paths: list[str], workers: int) -> int:
    """Reads every file as int16 in ``workers`` spawned processes, as the converter does."""
    chunks = [paths[index :: workers * 4] for index in range(workers * 4)]
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        return sum(pool.map(decode_files, chunks))


def synthesize(directory: pathlib.Path, scale: int) -> pathlib.Path:
    root = directory / "LibriSpeech"
    subprocess.run(
        [sys.executable, "-m", "demo", "librispeech", str(root), "--train-speakers", str(16 * scale)],
        check=True,
        cwd=pathlib.Path(__file__).resolve().parents[1],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--librispeech-dir", type=pathlib.Path, help="convert this corpus instead of the demo")
    parser.add_argument("--split", default="train-clean-100", help="split to convert (default: %(default)s)")
    parser.add_argument(
        "--scale", type=int, default=4, help="demo corpus size in multiples of the default (default: 4)"
    )
    parser.add_argument("--workers", type=int, default=usable_cores(), help="worker processes (default: all cores)")
    parser.add_argument("--repeats", type=int, default=5, help="runs of each measurement (default: %(default)s)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        scratch = pathlib.Path(scratch)
        root = args.librispeech_dir or synthesize(scratch, args.scale)
        utterances = scan_split(root, args.split).utterances
        paths = [str(utterance.path) for utterance in utterances]
        hours = decode_files(paths) / 16000 / 3600
        runs = iter(range(args.repeats))

        def convert():
            convert_split(
                ConversionConfig(
                    root, args.split, output_dir=scratch / f"run{next(runs)}", workers=args.workers, show_progress=False
                )
            )

        # Alternating the two spreads a slower spell of the machine over both.
        decode_all, convert_all = [], []
        for _ in range(args.repeats):
            decode_all += timed_median(lambda: decode_only(paths, args.workers), 1)[1]
            convert_all += timed_median(convert, 1)[1]
        decode_seconds, convert_seconds = statistics.median(decode_all), statistics.median(convert_all)

    print(f"machine: {machine()}")
    print(f"corpus: {len(paths)} utterances, {hours:.2f} h, {args.workers} workers, {args.repeats} runs each")
    print(
        f"decode-only: median {decode_seconds:.2f} s ({hours * 60 / decode_seconds:.1f} h audio/min); "
        f"runs {_list(decode_all)}"
    )
    print(
        f"conversion:  median {convert_seconds:.2f} s ({hours * 60 / convert_seconds:.1f} h audio/min); "
        f"runs {_list(convert_all)}"
    )
    print(f"conversion / decode-only throughput: {decode_seconds / convert_seconds:.2f} (target >= 0.80)")
    print("peak RSS: see bench/memory.py, which measures the conversion processes alone")


def _list(values: list[float]) -> str:
    return ", ".join(f"{value:.2f}" for value in values)


if __name__ == "__main__":
    main()
