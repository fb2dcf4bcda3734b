"""Command line: `python -m kws_eval --speech-commands-dir DIR --encoder outputs/genc.h5`."""

import argparse
import logging
import sys
from pathlib import Path

from models.runtime_environment import set_tensorflow_environment

set_tensorflow_environment()

from kws_eval.kws_config import KwsConfig  # noqa: E402
from kws_eval.kws_config_error import KwsConfigError  # noqa: E402
from kws_eval.kws_row import ROWS  # noqa: E402
from speechcommands.speech_commands_error import SpeechCommandsError  # noqa: E402
from tracking.tracking_error import TrackingError  # noqa: E402
from tracking.tracking_options import TrackingOptions, add_tracking_arguments  # noqa: E402

_DEFAULTS = KwsConfig(speech_commands_dir=Path("."))


class _OneLineErrorParser(argparse.ArgumentParser):
    """Reports bad flags as a single `error: ...` line, like other user errors."""

    def error(self, message: str):
        self.exit(2, f"error: {message}\n")


def _name_list(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _int_list(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in _name_list(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None


def _expected_retracing_notice(record: logging.LogRecord) -> bool:
    """Drops TensorFlow's "frequent retracing" warning, expected here.

    Every row builds new models, hence new tf.functions of the same code, which TensorFlow
    reports as retracing from the third row on.
    """
    return "triggered tf.function retracing" not in record.getMessage()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    rows = "; ".join(f"{row.name}: {row.representation}" for row in ROWS.values())
    parser = _OneLineErrorParser(
        prog="python -m kws_eval",
        description="Keyword spotting on Speech Commands (v0.01 or v0.02 layout): train the same CNN "
        "classifier on log-mel features, a random encoder and the CPC encoder (each frozen, and each "
        "trained with the classifier), with one recipe and seed, and report train, validation and test "
        "accuracy in one table (results.json, results.md, results.csv, plots and each row's model).",
    )
    parser.add_argument(
        "--speech-commands-dir",
        type=Path,
        required=True,
        help="Speech Commands folder: <word>/<speaker>_nohash_<n>.wav, validation_list.txt and "
        "testing_list.txt (without both lists the dataset's hashing rule splits the clips)",
    )
    parser.add_argument(
        "--encoder",
        type=Path,
        default=_DEFAULTS.encoder,
        help="encoder file (genc.h5 from train.py, or any Keras model mapping (batch, samples) "
        "to (batch, frames, features)), needed by the random and cpc rows (default: %(default)s)",
    )
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=_DEFAULTS.output_dir,
        help="where results.{json,md,csv}, the PNG plots and <row>.keras go (default: %(default)s)",
    )
    parser.add_argument(
        "--rows",
        type=_name_list,
        default=",".join(_DEFAULTS.rows),
        help=f"comma-separated rows of the table, in order ({rows}; default: %(default)s)",
    )
    parser.add_argument(
        "--words",
        type=_name_list,
        default=None,
        help="comma-separated words to classify, in label order (default: every word folder)",
    )
    parser.add_argument(
        "--epochs", type=int, default=_DEFAULTS.epochs, help="training epochs of every row (default: %(default)s)"
    )
    parser.add_argument(
        "--batch-size", type=int, default=_DEFAULTS.batch_size, help="clips per batch (default: %(default)s)"
    )
    parser.add_argument(
        "--lr",
        type=float,
        default=_DEFAULTS.lr,
        help="Adam's initial learning rate, taken to 0 by a cosine over the run (default: %(default)s)",
    )
    parser.add_argument(
        "--filters",
        type=_int_list,
        default=",".join(map(str, _DEFAULTS.filters)),
        help="filters of the classifier's three conv blocks (default: %(default)s)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=_DEFAULTS.seed,
        help="seed of the weights (random encoders included) and the shuffling, the same for every row "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="threads reading clips (default: the number of cores)"
    )
    add_tracking_arguments(parser)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Runs the command line.

    Args:
        argv: Arguments after `python -m kws_eval`; None reads sys.argv.

    Returns:
        The exit status: 0 on success, 2 for a bad flag, encoder file or dataset.
    """
    arguments = parse_args(argv)
    tracking = TrackingOptions.from_args(arguments)
    settings = {name: value for name, value in vars(arguments).items() if name not in ("mlflow", "mlflow_experiment", "azureml")}
    logging.getLogger("tensorflow").addFilter(_expected_retracing_notice)
    try:
        config = KwsConfig(**settings)
        # Imported only now: TensorFlow takes seconds to load, which -h and bad flags need not wait for.
        from kws_eval.kws_evaluation import run_kws_eval
        from tracking.tracked_run import tracked_run

        output_dir = Path(config.output_dir)
        with tracked_run(output_dir, "kws", settings, tracking, output_dir.parent, seeds={"seed": config.seed}) as (
            record,
            trackers,
        ):
            evaluation = run_kws_eval(config)
            accuracies = {
                f"{result.row.name}/{split}": getattr(result, split)
                for result in evaluation.results
                for split in ("train_acc", "val_acc", "test_acc")
            }
            record.finish("completed", {"accuracy": accuracies})
            trackers.log_metrics(accuracies)
            trackers.log_outputs(output_dir, [path.name for path in sorted(output_dir.iterdir()) if path.is_file()])
    except (KwsConfigError, SpeechCommandsError, TrackingError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"\nkeyword spotting on {len(evaluation.words)} words (results in {evaluation.output_dir}):")
    print(evaluation.table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
