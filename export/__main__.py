"""Command line: `python -m export preset --model outputs/gar.keras OUT`."""

import cli.tensorflow_environment

import argparse
import pathlib
import sys

from cli.one_line_error_parser import OneLineErrorParser
from cli.reported_errors import run_reporting_errors


def _build_parser() -> argparse.ArgumentParser:
    parser = OneLineErrorParser(prog="python -m export", description="Export a trained model.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    preset = commands.add_parser(
        "preset",
        help="a preset folder: config.json, model.weights.h5, preprocessor.json, metadata.json",
        description="Write OUT as a preset folder, which models.cpc_features.CPCFeatures.from_preset(OUT) loads.",
    )
    preset.add_argument("--model", type=pathlib.Path, required=True, help="gar.keras (encoder + GRU)")
    preset.add_argument("output_dir", type=pathlib.Path, metavar="OUT", help="the preset folder")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _build_parser().parse_args(argv)
    return run_reporting_errors(lambda: _export(args))


def _export(args: argparse.Namespace) -> int:
    from export.preset_export import export_preset

    for path in export_preset(args.model, args.output_dir):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
