"""Command line: `python -m extract AUDIO_DIR OUT_DIR --model outputs/gar.keras [--features z|c]`."""

import cli.tensorflow_environment

import argparse
import dataclasses
import pathlib
import sys

from cli.one_line_error_parser import OneLineErrorParser
from cli.reported_errors import run_reporting_errors
from extract.extraction_config import ExtractionConfig

_DEFAULTS = {field.name: field.default for field in dataclasses.fields(ExtractionConfig)}


def _build_parser() -> argparse.ArgumentParser:
    parser = OneLineErrorParser(
        prog="python -m extract",
        description="Write the CPC features of every audio file under AUDIO_DIR (16 kHz mono, searched "
        "recursively) to OUT_DIR: one float32 (frames, dim) .npy per file at the same relative path. Each "
        "file is normalised as in training (mean removed, divided by its peak). OUT_DIR/run.json records the run "
        "and its counts (files, frames, feature kind, dim, hop, real-time factor).",
    )
    parser.add_argument("audio_dir", type=pathlib.Path, metavar="AUDIO_DIR", help="folder of audio files")
    parser.add_argument("output_dir", type=pathlib.Path, metavar="OUT_DIR", help="folder receiving the .npy files")
    parser.add_argument(
        "--model",
        type=pathlib.Path,
        required=True,
        help="gar.keras (encoder + GRU) or genc.h5 / genc.keras (encoder alone, z only)",
    )
    parser.add_argument(
        "--features",
        choices=("z", "c"),
        default=None,
        help="c: GRU context c_t; z: encoder output z_t (default: c when the model has a GRU)",
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=_DEFAULTS["batch_size"],
        help="files run through the model at once (default: %(default)s)",
    )
    parser.add_argument(
        "--extensions",
        default=",".join(_DEFAULTS["extensions"]),
        help="comma-separated file endings to look for (default: %(default)s)",
    )
    parser.add_argument(
        "--max-batch-seconds",
        type=float,
        default=_DEFAULTS["max_batch_seconds"],
        help="most padded audio per batch, which bounds memory; a longer file is read and run in "
        "chunks of this length through the streaming model (default: %(default)s)",
    )
    parser.add_argument(
        "--layers",
        action="store_true",
        help="write every layer's output (each convolution, z, c) as one .npz per file (arrays layer_<i>, each "
        "at its own hop) and OUT_DIR/layers.json (each layer's name, hop, receptive field, first sample, dim)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _build_parser().parse_args(argv)
    return run_reporting_errors(lambda: _extract(args))


def _extract(args: argparse.Namespace) -> int:
    config = ExtractionConfig(
        audio_dir=args.audio_dir,
        output_dir=args.output_dir,
        model=args.model,
        features=args.features,
        batch_size=args.batch_size,
        extensions=tuple(args.extensions.split(",")),
        max_batch_seconds=args.max_batch_seconds,
        layers=args.layers,
    )
    from extract.feature_extraction import extract_features

    print(extract_features(config).report())
    return 0


if __name__ == "__main__":
    sys.exit(main())
