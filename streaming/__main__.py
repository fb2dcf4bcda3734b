"""Command line: `python -m streaming export --model outputs/gar.keras --output-dir outputs/streaming`."""

import cli.tensorflow_environment

import argparse
import pathlib
import sys

from cli.one_line_error_parser import OneLineErrorParser
from cli.reported_errors import run_reporting_errors
from streaming.streaming_export_config import INT8_MIN_COSINE, StreamingExportConfig


def _build_parser() -> argparse.ArgumentParser:
    parser = OneLineErrorParser(
        prog="python -m streaming",
        description="Streaming forms of a trained CPC encoder (and GRU): audio in chunks of any length, "
        "features equal to the offline model's.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    export = commands.add_parser(
        "export",
        help="write the streaming model as a SavedModel and a TFLite file",
        description="Write <output-dir>/saved_model (initial_state(), step(chunk, state)), "
        "<output-dir>/streaming.tflite and <output-dir>/streaming.json (sizes, hop, initial state); "
        "with --quantize int8 also <output-dir>/streaming_int8.tflite.",
    )
    export.add_argument(
        "--model",
        type=pathlib.Path,
        required=True,
        help="gar.keras (encoder + GRU) or genc.h5 / genc.keras (encoder alone)",
    )
    export.add_argument("--output-dir", type=pathlib.Path, required=True, help="folder receiving the exports")
    export.add_argument(
        "--features",
        choices=("z", "c"),
        default=None,
        help="c (GRU context) or z (encoder output); default: c when the model has a GRU",
    )
    export.add_argument(
        "--tflite-chunk",
        type=int,
        default=None,
        help="fix the TFLite chunk to this many samples (static shapes, e.g. 2560 = 10 hops of "
        "the seed encoder); default: chunks of any length",
    )
    export.add_argument(
        "--quantize",
        choices=("int8",),
        default=None,
        help="also write streaming_int8.tflite beside the float file: post-training dynamic-range "
        "quantisation, int8 weights (about a third of the size) with float32 activations and state, since "
        "int8 activations spoil the state carried between chunks. The export checks it against the float "
        f"features on speech (mean frame cosine similarity >= {INT8_MIN_COSINE})",
    )
    export.add_argument(
        "--representative-dir",
        type=pathlib.Path,
        default=None,
        help="with --quantize: FLAC/WAV files (16 kHz mono, each normalised as in training: mean removed, "
        "divided by its peak) to check the int8 file on; default: about 36 s of demo speech synthesized "
        "the same way on every run",
    )
    export.add_argument("--no-tflite", dest="tflite", action="store_false", help="write the SavedModel only")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _build_parser().parse_args(argv)
    return run_reporting_errors(lambda: _export(args))


def _export(args: argparse.Namespace) -> int:
    config = StreamingExportConfig(
        model=args.model,
        output_dir=args.output_dir,
        features=args.features,
        tflite=args.tflite,
        tflite_chunk=args.tflite_chunk,
        quantize=args.quantize,
        representative_dir=args.representative_dir,
    )
    from streaming.streaming_export import export_streaming

    result = export_streaming(config)
    print(
        f"features {result.features}: {result.dim} per frame, one frame per {result.hop} samples "
        f"(receptive field {result.receptive_field})"
    )
    print(f"SavedModel: {result.saved_model}")
    if result.tflite is not None:
        chunk = f"{config.tflite_chunk}-sample chunks" if config.tflite_chunk else "chunks of any length"
        print(f"TFLite ({chunk}): {result.tflite}")
    if result.tflite_int8 is not None:
        print(f"TFLite int8 weights: {result.tflite_int8} (mean cosine similarity to float {result.int8_cosine:.4f})")
    print(f"metadata and initial state: {result.metadata}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
