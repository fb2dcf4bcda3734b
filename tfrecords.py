"""Converts a LibriSpeech split into sharded TFRecords for training.

python tfrecords.py dev-clean
python tfrecords.py train-clean-100 --librispeech-dir ~/Data/LibriSpeech --workers 8
"""

import cli.tensorflow_environment

import argparse
import pathlib
import sys

from cli.one_line_error_parser import OneLineErrorParser
from cli.reported_errors import run_reporting_errors
from cli.usable_cores import usable_cores
from librispeech.split_converter import ConversionConfig, WorkerDiedError, convert_split


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = OneLineErrorParser(
        description="Convert a LibriSpeech split (original layout: <split>/<speaker>/<chapter>/*.flac with "
        "*.trans.txt) into sharded TFRecords plus manifest.json. Rerunning after an interruption converts only "
        "the shards that are missing.",
    )
    parser.add_argument("split", help="split folder name under --librispeech-dir, e.g. dev-clean or train-clean-100")
    parser.add_argument(
        "--librispeech-dir",
        type=pathlib.Path,
        default=pathlib.Path("~/Data/LibriSpeech"),
        help="LibriSpeech root holding the split folders and SPEAKERS.TXT (default: %(default)s)",
    )
    parser.add_argument(
        "--output-dir",
        type=pathlib.Path,
        default=None,
        help="where to write the shards and manifest.json (default: <librispeech-dir>/../tfrecords/<split>)",
    )
    parser.add_argument(
        "--shards",
        type=_positive_int,
        default=None,
        help="number of shard files (default: one per ~48 MB of FLAC, at least 8, at most one per utterance)",
    )
    parser.add_argument(
        "--workers",
        type=_positive_int,
        default=None,
        help=f"worker processes converting shards in parallel (default: all cores, here {usable_cores()})",
    )
    parser.add_argument(
        "--on-error",
        choices=("fail", "skip"),
        default="fail",
        help="bad input file (corrupt, empty, not 16 kHz mono, no transcript line): 'fail' stops with exit code 2 "
        "naming the file; 'skip' leaves it out and lists it in manifest.json (default: %(default)s)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser.parse_args(argv)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    config = ConversionConfig(
        librispeech_dir=args.librispeech_dir,
        split=args.split,
        output_dir=args.output_dir,
        shards=args.shards,
        workers=args.workers,
        on_error=args.on_error,
        show_progress=not args.quiet,
    )
    try:
        return run_reporting_errors(lambda: _convert(config))
    except WorkerDiedError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: complete shards are kept; rerun the same command to finish", file=sys.stderr)
        return 130


def _convert(config: ConversionConfig) -> int:
    summary = convert_split(config)
    print(f"{summary.output_dir}: {summary.final_line()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
