"""Command line: `python -m kws_eval --speech-commands-dir DIR --encoder outputs/genc.h5`."""

import cli.tensorflow_environment

import argparse
import logging
import sys
from pathlib import Path

from cli.one_line_error_parser import OneLineErrorParser
from cli.progress_messages import show_progress_messages
from cli.reported_errors import run_reporting_errors
from kws_eval.kws_config import CLASSIFIERS, LR_SCHEDULES, RECIPES, KwsConfig
from kws_eval.kws_row import ROWS
from tracking.tracking_options import TrackingOptions, add_tracking_arguments

_DEFAULTS = KwsConfig(speech_commands_dir=Path("."))


def _name_list(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _int_list(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in _name_list(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None


def _budget_list(text: str) -> tuple[int | None, ...]:
    try:
        return tuple(None if part == "all" else int(part) for part in _name_list(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers or 'all', got {text!r}") from None


def _float_list(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(part) for part in _name_list(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers, got {text!r}") from None


def _expected_retracing_notice(record: logging.LogRecord) -> bool:
    """Drops TensorFlow's "frequent retracing" warning, expected here.

    Every row builds new models, hence new tf.functions of the same code, which TensorFlow
    reports as retracing from the third row on.
    """
    return "triggered tf.function retracing" not in record.getMessage()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    rows = "; ".join(f"{row.name}: {row.representation}" for row in ROWS.values())
    parser = OneLineErrorParser(
        prog="python -m kws_eval",
        description="Keyword spotting on Speech Commands (v0.01 or v0.02 layout): train the same CNN "
        "classifier on log-mel features, a random encoder and the CPC encoder (each frozen, and each "
        "trained with the classifier), and a linear classifier on each frozen front end's mean frame, with "
        "one recipe, and report train, validation and test accuracy in one table; optionally with few "
        "labels per word, in background noise and over several seeds (results.json, results.md, "
        "results.csv, plots and each row's model).",
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
    recipes = parser.add_argument_group(
        "recipe", "every row trains with these; a flag given overrides the --recipe's value"
    )
    recipes.add_argument(
        "--recipe",
        choices=tuple(RECIPES),
        default="default",
        help="default: image CNN for log-mel and temporal CNN for the encoders, input batch norm, 20 epochs, "
        "batch 16, cosine from 1e-3, filters 64,128,256, 100 ms time shifts; reference: the reference "
        "implementation's image CNN, 25 epochs, batch 64, constant 1e-3, filters 32,64,128, no input norm, "
        "no augmentation (default: %(default)s)",
    )
    recipes.add_argument(
        "--classifier",
        choices=CLASSIFIERS,
        default=None,
        help="temporal: a 1D CNN over time reading the features as channels; image: the "
        "reference's 2D CNN over frames x features; auto: image for log-mel, temporal for the "
        "encoders (default recipe)",
    )
    recipes.add_argument(
        "--input-norm",
        choices=("batch", "none"),
        default=None,
        help="batch: batch-normalise every feature at the classifier's input (default recipe); "
        "none: feed the front end's features as they are (reference)",
    )
    recipes.add_argument("--epochs", type=int, default=None, help="training epochs of every CNN row")
    recipes.add_argument("--batch-size", type=int, default=None, help="clips per batch")
    recipes.add_argument("--lr", type=float, default=None, help="Adam's learning rate (the initial one under cosine)")
    recipes.add_argument(
        "--lr-schedule",
        choices=LR_SCHEDULES,
        default=None,
        help="cosine: from --lr to 0 over the run; constant: --lr throughout",
    )
    recipes.add_argument(
        "--filters", type=_int_list, default=None, help="filters of the classifier's three conv blocks, e.g. 64,128,256"
    )
    recipes.add_argument(
        "--time-shift-ms",
        type=float,
        default=None,
        help="shift every training clip of the CNN rows by a random time up to this either way (0: off)",
    )
    recipes.add_argument(
        "--crop-frames",
        type=int,
        default=None,
        help="drop this many frames from the start of every clip's features before the classifier "
        "(a causal encoder's first frames see the padding before the clip; 0: keep all)",
    )
    recipes.add_argument(
        "--min-steps",
        type=int,
        default=None,
        help="optimizer steps of a CNN row at the least: smaller training sets (label budgets) "
        "are repeated within each epoch (default recipe: 300; reference: 1)",
    )
    study = parser.add_argument_group("what is measured")
    study.add_argument(
        "--train-per-word",
        type=_budget_list,
        default="all",
        help="label budgets: train every row on that many clips per word, drawn with the seed; comma-separated, "
        "'all' for every training clip, e.g. 1,3,10,all (default: %(default)s)",
    )
    study.add_argument(
        "--test-snr",
        type=_float_list,
        default="",
        help="also score every row trained on all clips on the test clips mixed with _background_noise_ at "
        "these SNRs in dB, e.g. 20,10,5,0 (default: none)",
    )
    study.add_argument(
        "--seed",
        type=int,
        default=_DEFAULTS.seed,
        help="first seed of the weights (random encoders included), shuffling, time shifts, label budgets and "
        "noise segments (default: %(default)s)",
    )
    study.add_argument(
        "--seeds",
        type=int,
        default=_DEFAULTS.seeds,
        help="repeat everything with this many seeds (--seed, --seed + 1, ...); the tables show mean ± std "
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
    settings = {
        name: value for name, value in vars(arguments).items() if name not in ("mlflow", "mlflow_experiment", "azureml")
    }
    logging.getLogger("tensorflow").addFilter(_expected_retracing_notice)
    show_progress_messages("kws_eval")
    return run_reporting_errors(lambda: _evaluate(settings, tracking))


def _evaluate(settings: dict, tracking: TrackingOptions) -> int:
    if settings["input_norm"] is not None:
        settings["input_norm"] = settings["input_norm"] == "batch"
    config = KwsConfig.from_recipe(**settings)
    # Imported only now: TensorFlow takes seconds to load, which -h and bad flags need not wait for.
    from kws_eval.kws_evaluation import run_kws_eval
    from tracking.tracked_run import tracked_run

    output_dir = Path(config.output_dir)
    with tracked_run(output_dir, "kws", settings, tracking, output_dir.parent, seeds={"seed": config.seed}) as (
        record,
        trackers,
    ):
        evaluation = run_kws_eval(config)
        accuracies = evaluation.metrics()
        record.finish("completed", {"accuracy": accuracies})
        trackers.log_metrics(accuracies)
        trackers.log_outputs(output_dir, [path.name for path in sorted(output_dir.iterdir()) if path.is_file()])
    print(f"\nkeyword spotting on {len(evaluation.words)} words (results in {evaluation.output_dir}):")
    print("\n\n".join(evaluation.tables()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
