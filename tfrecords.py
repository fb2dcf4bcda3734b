"""Converts a LibriSpeech split into sharded TFRecords for training.

    python tfrecords.py dev-clean
    python tfrecords.py train-clean-100 --librispeech-dir ~/Data/LibriSpeech --workers 8
"""

import argparse
import os
import pathlib
import sys

from librispeech.corpus_error import CorpusError
from librispeech.split_converter import ConversionConfig, WorkerDiedError, convert_split
from tracking.artefact_files import os_error_line
from tracking.folder_lock import FolderLockedError


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Convert a LibriSpeech split (original layout: <split>/<speaker>/<chapter>/*.flac with "
        "*.trans.txt) into sharded TFRecords plus manifest.json. Rerunning after an interruption converts only "
        "the shards that are missing.",
    )
    parser.add_argument("split", help="split folder name under --librispeech-dir, e.g. dev-clean or train-clean-100")
    parser.add_argument(
        "--librispeech-dir", type=pathlib.Path, default=pathlib.Path("~/Data/LibriSpeech"),
        help="LibriSpeech root holding the split folders and SPEAKERS.TXT (default: %(default)s)",
    )
    parser.add_argument(
        "--output-dir", type=pathlib.Path, default=None,
        help="where to write the shards and manifest.json (default: <librispeech-dir>/../tfrecords/<split>)",
    )
    parser.add_argument(
        "--shards", type=_positive_int, default=None,
        help="number of shard files (default: one per ~48 MB of FLAC, at least 8, at most one per utterance)",
    )
    parser.add_argument(
        "--workers", type=_positive_int, default=None,
        help=f"worker processes converting shards in parallel (default: all cores, here {len(os.sched_getaffinity(0))})",
    )
    parser.add_argument(
        "--on-error", choices=("fail", "skip"), default="fail",
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
        summary = convert_split(config)
        print(f"{summary.output_dir}: {summary.final_line()}")
    except (CorpusError, FolderLockedError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"error: {os_error_line(error)}", file=sys.stderr)
        return 2
    except WorkerDiedError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: complete shards are kept; rerun the same command to finish", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
