"""Pretrains a CPC encoder on converted LibriSpeech splits and saves outputs/genc.h5.

    python train.py                                  # the reference's recipe
    python train.py --encoder paper --batch-size 32  # the CPC paper's encoder
    python train.py --encoder modified --augment     # modified CPC, augmented past (GPU)
    python train.py --encoder modified-small --augment --time-budget 10   # a laptop CPU
"""

import argparse
import pathlib
import sys

from models.runtime_environment import set_tensorflow_environment

set_tensorflow_environment()

from models.encoder_spec import AR_CELLS, NEGATIVE_MODES, PREDICTORS  # noqa: E402
from pretraining.pretraining_config import PretrainingConfig, PretrainingConfigError, resolve  # noqa: E402
from tracking.tracking_options import TrackingOptions, add_tracking_arguments  # noqa: E402

_DEFAULTS = PretrainingConfig()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Train a causal Conv1D encoder (g_enc) and a GRU (g_ar) with the CPC contrastive loss on "
        "TFRecords written by tfrecords.py; report prediction accuracy per future step and save the encoder "
        "as <output-dir>/genc.h5.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    data = parser.add_argument_group("data")
    data.add_argument("--data-dir", type=pathlib.Path, default=_DEFAULTS.data_dir,
                      help="TFRecord root holding one folder per converted split")
    data.add_argument("--train-split", default=_DEFAULTS.train_split, help="split to train on")
    data.add_argument("--val-split", default=_DEFAULTS.val_split, help="split to validate on after every epoch")
    data.add_argument("--window", type=int, default=_DEFAULTS.window,
                      help="samples per training window (20480 = 1.28 s at 16 kHz); shorter utterances are left out")
    data.add_argument("--crops-per-utterance", type=int, default=_DEFAULTS.crops_per_utterance,
                      help="random windows cut from each training utterance read; reading costs far more than "
                      "cropping, so this keeps the input pipeline's CPU share small; 1 = one window per read, as the "
                      "reference")
    data.add_argument("--no-normalize", dest="normalize", action="store_false",
                      help="do not remove each utterance's mean and divide by its peak")
    data.add_argument("--augment", nargs="?", const="default", default=None, metavar="EFFECTS",
                      help="augment the past (the context side; targets stay clean): alone, the default set "
                      "(pitch, noise, reverb, band_reject); or a comma-separated choice, each with an optional "
                      "probability, e.g. 'pitch:0.3,noise'")
    data.add_argument("--noise-dir", type=pathlib.Path, default=None,
                      help="folder of noise recordings (WAV/FLAC, 16 kHz) for the noise effect (default: "
                      "synthesized coloured noise)")
    data.add_argument("--windows-per-speaker", type=int, default=None,
                      help="with --negatives speaker: windows of one speaker batched together (default 4)")

    model = parser.add_argument_group("model")
    model.add_argument("--encoder", default=_DEFAULTS.encoder,
                       help="'seed' (reference encoder: 4 conv layers, hop 256, receptive field 512), 'paper' (CPC "
                       "paper: 5 layers, hop 160, 512 channels, GRU 256, 12 steps), 'modified' (modified CPC: the "
                       "paper's geometry, 256 channels, channel norm, 2-layer LSTM, transformer predictor, 128 "
                       "negatives within the speaker), 'modified-small' (the same ideas sized for a 2-core CPU) or a "
                       "conv_dims YAML file; the flags below left out take the encoder's defaults")
    model.add_argument("--dim-z", type=int, default=None, help="encoder output size (default: the encoder's, 40 for seed)")
    model.add_argument("--dim-c", type=int, default=None,
                       help="context size (default: the encoder's, 40 for seed, 256 for paper)")
    model.add_argument("--ar", choices=AR_CELLS, default=None,
                       help="recurrent cell of g_ar (default: the encoder's, gru; lstm for modified)")
    model.add_argument("--ar-layers", type=int, default=None,
                       help="stacked recurrent layers (default: the encoder's, 1; 2 for modified)")
    model.add_argument("--predictor", choices=PREDICTORS, default=None,
                       help="'linear': one affine map of c_t per step (reference); 'transformer': one causal "
                       "self-attention layer over c, then a head per step (modified CPC); default: the encoder's")
    model.add_argument("--predictor-dropout", type=float, default=None,
                       help="dropout on the contexts entering the predictor, in training (default: the encoder's)")
    model.add_argument("--pred-steps", type=int, default=None,
                       help="future steps predicted, K (default: the encoder's, 10 for seed, 12 for paper)")

    loss = parser.add_argument_group("contrastive loss")
    loss.add_argument("--num-neg", type=int, default=None,
                      help="negatives per positive; chance accuracy is 1/(num-neg+1) (default: the encoder's, 10; "
                      "128 for modified)")
    loss.add_argument("--negatives", choices=NEGATIVE_MODES, default=None,
                      help="draw negatives from the same window (sequence: reference), from the other windows of the "
                      "batch at the same step (batch: paper's InfoNCE) or from the windows of the same speaker in the "
                      "batch (speaker: modified CPC); default: the encoder's")
    loss.add_argument("--t-skip", type=int, default=_DEFAULTS.t_skip,
                      help="first context steps left unscored, whose GRU has seen too little")
    loss.add_argument("--targets-gradient", action="store_true",
                      help="let gradients flow into the targets (paper) instead of stopping them (reference)")

    optimisation = parser.add_argument_group("optimisation")
    optimisation.add_argument("--epochs", type=int, default=_DEFAULTS.epochs, help="training epochs")
    optimisation.add_argument("--lr", type=float, default=_DEFAULTS.lr, help="Adam's initial learning rate")
    optimisation.add_argument("--lr-milestones", type=_int_list, default=_DEFAULTS.lr_milestones,
                              help="comma-separated epochs (from 0) from which the rate is divided by --lr-divisor")
    optimisation.add_argument("--lr-divisor", type=float, default=_DEFAULTS.lr_divisor,
                              help="division of the learning rate at each milestone")
    optimisation.add_argument("--batch-size", type=int, default=_DEFAULTS.batch_size, help="windows per batch")
    optimisation.add_argument("--steps-per-epoch", type=int, default=None,
                              help="batches per epoch (default: one random crop of every utterance)")
    optimisation.add_argument("--val-steps", type=int, default=None,
                              help="validation batches per epoch (default: the whole validation split)")
    optimisation.add_argument("--seed", type=int, default=_DEFAULTS.seed,
                              help="seed of weights, crops, shuffling and negative sampling")

    parser.add_argument("--distribute", choices=("none", "mirrored", "multiworker"), default=_DEFAULTS.distribute,
                        help="'mirrored': all local GPUs; 'multiworker': the machines of TF_CONFIG, each reading its "
                        "own shard files, only the chief writing artefacts; --batch-size is the global batch")
    parser.add_argument("--mixed-precision", action="store_true",
                        help="mixed_float16 on a GPU: float16 compute, float32 weights, scores and loss")
    parser.add_argument("--backup-every-steps", type=int, default=None,
                        help="also back up every N steps within an epoch (default: at epoch ends only); a killed "
                        "run started again with the same command resumes from its last backup")
    parser.add_argument("--time-budget", type=float, default=None, metavar="MINUTES",
                        help="stop training after this many wall-clock minutes (mid-epoch if need be), write every "
                        "artefact as at a normal end and keep the backup: the same command continues the run")
    parser.add_argument("--restart", action="store_true", help="discard a backup in --output-dir and start over")
    parser.add_argument("--output-dir", type=pathlib.Path, default=_DEFAULTS.output_dir,
                        help="where genc.h5, gar.keras, metrics.json, plots, logs and checkpoints go")
    add_tracking_arguments(parser)
    return parser.parse_args(argv)


def _int_list(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    tracking = TrackingOptions.from_args(args)
    for name in ("mlflow", "mlflow_experiment", "azureml"):
        delattr(args, name)
    config = PretrainingConfig(**vars(args))
    try:
        resolved = resolve(config)
    except PretrainingConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    for split, manifest in ((config.train_split, resolved.train_manifest), (config.val_split, resolved.val_manifest)):
        short = manifest.count_shorter_than(config.window)
        print(f"{split}: {manifest.num_records} utterances, {manifest.total_hours:.2f} h; {short} shorter than the "
              f"{config.window}-sample window are left out")

    import tensorflow as tf

    if config.mixed_precision and not tf.config.list_physical_devices("GPU"):
        print("error: --mixed-precision needs a GPU and none is visible (float16 is slower on CPU)", file=sys.stderr)
        return 2

    from librispeech.corpus_error import CorpusError
    from pretraining.cpc_pretraining import TrainingDivergedError, TrainingInterrupted, accuracy_table
    from pretraining.tracked_pretraining import tracked_pretrain
    from pretraining.training_backup import BackupMismatchError
    from tracking.artefact_files import os_error_line
    from tracking.folder_lock import FolderLockedError
    from tracking.tracking_error import TrackingError

    try:
        result = tracked_pretrain(resolved, tracking)
    except TrainingInterrupted as interruption:
        print(f"\n{interruption}", file=sys.stderr)
        return 128 + interruption.signum
    except (BackupMismatchError, TrackingError, TrainingDivergedError, CorpusError, FolderLockedError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1 if isinstance(error, TrainingDivergedError) else 2
    except OSError as error:
        print(f"error: {os_error_line(error)}", file=sys.stderr)
        return 2
    metrics = result.metrics
    if not metrics:
        print("this worker's share of training is done; the chief writes the artefacts")
        return 0
    stop = " (time budget reached)" if metrics["stopped_by"] == "time_budget" else ""
    print(f"\nprediction accuracy after {metrics['epochs']} epochs{stop} ({metrics['steps']} steps, "
          f"{metrics['wall_seconds']:.0f} s; chance {metrics['chance_accuracy']:.3f}):")
    print(accuracy_table(metrics))
    print(f"\nencoder saved to {result.output_dir / 'genc.h5'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
