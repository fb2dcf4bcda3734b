"""Command line: `python -m streaming export --model outputs/gar.keras --output-dir outputs/streaming`."""

import argparse
import pathlib
import sys

from models.runtime_environment import set_tensorflow_environment

set_tensorflow_environment()

from streaming.cpc_model_error import CpcModelError  # noqa: E402
from streaming.streaming_error import StreamingError  # noqa: E402
from streaming.streaming_export_config import StreamingExportConfig  # noqa: E402
from tracking.artefact_files import os_error_line  # noqa: E402
from tracking.folder_lock import FolderLockedError  # noqa: E402


class _OneLineErrorParser(argparse.ArgumentParser):
    """Reports bad flags as a single `error: ...` line, like other user errors."""

    def error(self, message: str):
        self.exit(2, f"error: {message}\n")


def _build_parser() -> argparse.ArgumentParser:
    parser = _OneLineErrorParser(
        prog="python -m streaming",
        description="Streaming forms of a trained CPC encoder (and GRU): audio in chunks of any length, "
        "features equal to the offline model's.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    export = commands.add_parser(
        "export",
        help="write the streaming model as a SavedModel and a TFLite file",
        description="Write <output-dir>/saved_model (initial_state(), step(chunk, state)), "
        "<output-dir>/streaming.tflite and <output-dir>/streaming.json (sizes, hop, initial state).",
    )
    export.add_argument("--model", type=pathlib.Path, required=True,
                        help="gar.keras (encoder + GRU) or genc.h5 / genc.keras (encoder alone)")
    export.add_argument("--output-dir", type=pathlib.Path, required=True, help="folder receiving the exports")
    export.add_argument("--features", choices=("z", "c"), default=None,
                        help="c (GRU context) or z (encoder output); default: c when the model has a GRU")
    export.add_argument("--tflite-chunk", type=int, default=None,
                        help="fix the TFLite chunk to this many samples (static shapes, e.g. 2560 = 10 hops of "
                        "the seed encoder); default: chunks of any length")
    export.add_argument("--no-tflite", dest="tflite", action="store_false", help="write the SavedModel only")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _build_parser().parse_args(argv)
    try:
        config = StreamingExportConfig(
            model=args.model, output_dir=args.output_dir, features=args.features,
            tflite=args.tflite, tflite_chunk=args.tflite_chunk,
        )
        from streaming.streaming_export import export_streaming

        result = export_streaming(config)
    except (CpcModelError, StreamingError, FolderLockedError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"error: {os_error_line(error)}", file=sys.stderr)
        return 2
    print(f"features {result.features}: {result.dim} per frame, one frame per {result.hop} samples "
          f"(receptive field {result.receptive_field})")
    print(f"SavedModel: {result.saved_model}")
    if result.tflite is not None:
        chunk = f"{config.tflite_chunk}-sample chunks" if config.tflite_chunk else "chunks of any length"
        print(f"TFLite ({chunk}): {result.tflite}")
    print(f"metadata and initial state: {result.metadata}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
