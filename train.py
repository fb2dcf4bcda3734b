"""Pretrains a CPC encoder on converted LibriSpeech splits and saves outputs/genc.h5.

python train.py                                  # the reference's recipe
python train.py --encoder paper --batch-size 32  # the CPC paper's encoder
python train.py --encoder modified --augment     # modified CPC, augmented past (GPU)
python train.py --encoder modified-small --augment --time-budget 10   # a laptop CPU
python train.py --config outputs/config.json --output-dir again       # that run again
"""

import cli.tensorflow_environment

import argparse
import sys

from cli.one_line_error_parser import OneLineErrorParser
from cli.progress_messages import show_progress_messages
from cli.reported_errors import run_reporting_errors
from cli.user_error import UserError
from pretraining.config_flags import add_config_arguments, config_from_args
from pretraining.resolved_pretraining import resolve
from tracking.tracking_options import TrackingOptions, add_tracking_arguments


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = OneLineErrorParser(
        description="Train a causal Conv1D encoder (g_enc) and a GRU (g_ar) with the CPC contrastive loss on "
        "TFRecords written by tfrecords.py; report prediction accuracy per future step and save the encoder "
        "as <output-dir>/genc.h5.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    add_config_arguments(parser)
    add_tracking_arguments(parser)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Runs the command line.

    Args:
        argv: Arguments after ``train.py``; None reads sys.argv.

    Returns:
        The exit status: 0 on success; 2 for a bad flag, config file, dataset, backup or a
        failed write; 1 when training diverged; 128 + the signal when interrupted.
    """
    args = parse_args(argv)
    tracking = TrackingOptions.from_args(args)
    show_progress_messages("pretraining")
    return run_reporting_errors(lambda: _train(args, tracking))


def _train(args: argparse.Namespace, tracking: TrackingOptions) -> int:
    config = config_from_args(args)
    resolved = resolve(config)
    data = config.data
    # Of several training splits, each line says how often it is drawn; a single one always is.
    weights = resolved.train_weights if len(resolved.train_splits) > 1 else [None]
    splits = zip(resolved.train_splits, resolved.train_manifests, weights, strict=True)
    for split, manifest, weight in [*splits, (data.val_split, resolved.val_manifest, None)]:
        share = "" if weight is None else f" ({weight:.1%} of training windows)"
        short = manifest.count_shorter_than(data.window)
        print(
            f"{split}: {manifest.num_records} utterances, {manifest.total_hours:.2f} h{share}; {short} shorter than "
            f"the {data.window}-sample window are left out"
        )

    import tensorflow as tf

    if config.runtime.mixed_precision and not tf.config.list_physical_devices("GPU"):
        raise UserError("--mixed-precision needs a GPU and none is visible (float16 is slower on CPU)")

    from pretraining.cpc_pretraining import accuracy_table
    from pretraining.tracked_pretraining import tracked_pretrain
    from pretraining.training_diverged_error import TrainingDivergedError
    from pretraining.training_interrupted import TrainingInterrupted

    try:
        result = tracked_pretrain(resolved, tracking)
    except TrainingInterrupted as interruption:
        print(f"\n{interruption}", file=sys.stderr)
        return 128 + interruption.signum
    except TrainingDivergedError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    metrics = result.metrics
    if not metrics:
        print("this worker's share of training is done; the chief writes the artefacts")
        return 0
    stop = " (time budget reached)" if metrics["stopped_by"] == "time_budget" else ""
    print(
        f"\nprediction accuracy after {metrics['epochs']} epochs{stop} ({metrics['steps']} steps, "
        f"{metrics['wall_seconds']:.0f} s; chance {metrics['chance_accuracy']:.3f}):"
    )
    print(accuracy_table(metrics))
    print(f"\nencoder saved to {result.output_dir / 'genc.h5'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
