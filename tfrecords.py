"""Converts a LibriSpeech split, or any tree of audio files, into sharded TFRecords for training.

python tfrecords.py dev-clean
python tfrecords.py train-clean-100 --librispeech-dir ~/Data/LibriSpeech --workers 8
python tfrecords.py --audio-dir ~/Data/LibriLight/small --output-dir ~/Data/tfrecords/librilight-small
"""

import cli.tensorflow_environment

import argparse
import pathlib
import sys

from cli.one_line_error_parser import OneLineErrorParser
from cli.reported_errors import run_reporting_errors
from cli.usable_cores import usable_cores
from librispeech.audio_pieces import PIECE_SEPARATOR
from librispeech.audio_tree_config import AudioTreeConfig
from librispeech.audio_tree_scan import DEFAULT_EXTENSIONS
from librispeech.conversion_options import ConversionOptions
from librispeech.split_converter import ConversionConfig, WorkerDiedError, convert_split

_TREE_FLAGS = {
    "name": "--name",
    "extensions": "--extensions",
    "speaker_level": "--speaker-level",
    "downmix": "--downmix",
    "max_seconds": "--max-seconds",
    "min_seconds": "--min-seconds",
}
"""Flags of --audio-dir alone: their defaults are None (False) so that giving one with a split shows."""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = OneLineErrorParser(
        description="Convert a LibriSpeech split (original layout: <split>/<speaker>/<chapter>/*.flac with "
        "*.trans.txt, or without any transcript) or, with --audio-dir, any tree of audio files into sharded "
        "TFRecords plus manifest.json. Rerunning after an interruption converts only the shards that are missing.",
    )
    parser.add_argument(
        "split", nargs="?", help="split folder name under --librispeech-dir, e.g. dev-clean or train-clean-100"
    )
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
        help="where to write the shards and manifest.json (default for a split: "
        "<librispeech-dir>/../tfrecords/<split>; required with --audio-dir)",
    )
    parser.add_argument(
        "--shards",
        type=_positive_int,
        default=None,
        help="number of shard files (default: one per ~48 MB of audio files, at least 8, at most one per file)",
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
        help="bad input file (corrupt, empty, not 16 kHz mono in a split, several channels without --downmix, no "
        "transcript line in a split that has transcripts): 'fail' stops with exit code 2 "
        "naming the file; 'skip' leaves it out and lists it in manifest.json (default: %(default)s)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    tree = parser.add_argument_group(
        "any tree of audio files (instead of SPLIT)",
        "Converts every audio file under --audio-dir, searched recursively (hidden files and folders passed "
        "over), with empty transcripts. The utterance id is the path relative to --audio-dir without the "
        "extension. Other rates are resampled to 16 kHz (polyphase filter); train.py reads the output folder as "
        "a split named after it: --data-dir <its parent> --train-split <its name>.",
    )
    tree.add_argument("--audio-dir", type=pathlib.Path, default=None, help="root of the tree of audio files")
    tree.add_argument(
        "--name",
        default=None,
        help="the split's name in manifest.json and (made safe) in the shard file names (default: the output "
        "folder's name)",
    )
    tree.add_argument(
        "--extensions",
        type=_extensions,
        default=None,
        help=f"comma-separated file name endings of the audio files (default: {','.join(DEFAULT_EXTENSIONS)})",
    )
    tree.add_argument(
        "--speaker-level",
        type=_non_negative_int,
        default=None,
        help="the folder level that names the speaker: 1 the first below --audio-dir (Libri-Light's "
        "<speaker>/<book>/), 2 the second, ...; 0: every file is one speaker's (default: 1)",
    )
    tree.add_argument(
        "--downmix", action="store_true", default=None, help="average the channels of multi-channel files"
    )
    tree.add_argument(
        "--max-seconds",
        type=_positive_float,
        default=None,
        help="longest record: a longer file becomes consecutive pieces of at most this many seconds, with "
        f"ids <file id>{PIECE_SEPARATOR}0000, <file id>{PIECE_SEPARATOR}0001, ... (default: 60)",
    )
    tree.add_argument(
        "--min-seconds",
        type=_non_negative_float,
        default=None,
        help="leave out files shorter than this, counted in manifest.json and the final line (default: 0)",
    )
    args = parser.parse_args(argv)
    if (args.split is None) == (args.audio_dir is None):
        parser.error("give either a SPLIT of --librispeech-dir or --audio-dir, not both or neither")
    if args.audio_dir is None:
        given = [flag for field, flag in _TREE_FLAGS.items() if getattr(args, field) is not None]
        if given:
            parser.error(f"{given[0]} goes with --audio-dir, not with a LibriSpeech split")
    elif args.output_dir is None:
        parser.error("--audio-dir needs --output-dir")
    return args


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text}")
    return value


def _non_negative_float(text: str) -> float:
    value = float(text)
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be 0 or a positive number of seconds, got {text}")
    return value


def _extensions(text: str) -> tuple[str, ...]:
    extensions = tuple(part.strip().lstrip(".") for part in text.split(",") if part.strip().lstrip("."))
    if not extensions:
        raise argparse.ArgumentTypeError(f"no file name ending in {text!r}")
    return extensions


def build_config(args: argparse.Namespace) -> ConversionOptions:
    """The conversion the flags ask for: a LibriSpeech split or a tree of audio files."""
    common = dict(
        output_dir=args.output_dir,
        shards=args.shards,
        workers=args.workers,
        on_error=args.on_error,
        show_progress=not args.quiet,
    )
    if args.audio_dir is None:
        return ConversionConfig(librispeech_dir=args.librispeech_dir, split=args.split, **common)
    given = {field: getattr(args, field) for field in _TREE_FLAGS if getattr(args, field) is not None}
    return AudioTreeConfig(audio_dir=args.audio_dir, **given, **common)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    config = build_config(args)
    try:
        return run_reporting_errors(lambda: _convert(config))
    except WorkerDiedError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: complete shards are kept; rerun the same command to finish", file=sys.stderr)
        return 130


def _convert(config: ConversionOptions) -> int:
    summary = convert_split(config)
    print(f"{summary.output_dir}: {summary.final_line()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
