"""Command line: ``python -m probes {phone,speaker,abx} [flags]``.

python -m probes phone --tfrecords ~/Data/tfrecords/train-clean-100 --alignments ~/Data/LibriSpeech/alignments
python -m probes speaker --features z --encoder outputs/genc.h5 --rows cpc,mfcc
python -m probes abx --tfrecords ~/Data/tfrecords/dev-clean --alignments ~/Data/LibriSpeech/alignments
"""

import cli.tensorflow_environment

import argparse
import functools
import pathlib
import sys

from cli.one_line_error_parser import OneLineErrorParser
from cli.reported_errors import run_reporting_errors
from probes.abx_config import ABX_ROWS, AbxConfig, check_abx_config
from probes.probe_config import ROW_NAMES, ProbeConfig, check_config
from tracking.tracking_options import TrackingOptions, add_tracking_arguments

_DEFAULTS = ProbeConfig()
_ABX_DEFAULTS = AbxConfig()


def _build_parser() -> argparse.ArgumentParser:
    shared = argparse.ArgumentParser(add_help=False)
    data = shared.add_argument_group("data")
    data.add_argument(
        "--tfrecords",
        type=pathlib.Path,
        default=_DEFAULTS.tfrecords_dir,
        dest="tfrecords_dir",
        metavar="DIR",
        help="converted split (tfrecords.py) holding every utterance of both split files (default: %(default)s)",
    )
    data.add_argument(
        "--alignments",
        type=pathlib.Path,
        default=_DEFAULTS.alignments_dir,
        dest="alignments_dir",
        metavar="DIR",
        help="folder of converted_aligned_phones.txt, train_split.txt, test_split.txt and optionally "
        "phones.txt (the speaker probe reads only the split files) (default: %(default)s)",
    )
    model = shared.add_argument_group("features")
    model.add_argument(
        "--model",
        type=pathlib.Path,
        default=_DEFAULTS.model,
        metavar="FILE",
        help="gar.keras from train.py: audio -> c_t, the encoder nested in it (default: %(default)s)",
    )
    model.add_argument(
        "--features",
        choices=("c", "z"),
        default=_DEFAULTS.features,
        help="probe the context c_t (speaker: a window's last one) or the encoder's z_t (speaker: "
        "mean over the window); z_t comes from the encoder inside --model unless --encoder is given "
        "(default: %(default)s)",
    )
    model.add_argument(
        "--encoder",
        type=pathlib.Path,
        default=None,
        metavar="FILE",
        help="genc.h5 to take z_t from instead of the encoder inside --model (needs --features z)",
    )
    model.add_argument(
        "--rows",
        type=_row_list,
        default=_DEFAULTS.rows,
        metavar="ROW,...",
        help="comma-separated rows of the table: cpc (frozen model features), random (same network, "
        "random init, frozen), mfcc (39 MFCC), logmel (40 log-mel), supervised (same network trained "
        f"end to end on the labels) (default: {','.join(ROW_NAMES)})",
    )
    training = shared.add_argument_group("training")
    training.add_argument(
        "--epochs",
        type=int,
        default=_DEFAULTS.epochs,
        help="passes over the training examples of the linear heads on frozen features (default: %(default)s)",
    )
    training.add_argument(
        "--batch-size",
        type=int,
        default=_DEFAULTS.batch_size,
        help="windows per batch: speaker heads and the supervised row (default: %(default)s)",
    )
    training.add_argument(
        "--frame-batch-size",
        type=int,
        default=_DEFAULTS.frame_batch_size,
        help="frames per batch of the phone probe's linear heads (default: %(default)s)",
    )
    training.add_argument(
        "--learning-rate",
        type=float,
        default=_DEFAULTS.learning_rate,
        help="Adam's learning rate of the linear heads on frozen features (default: %(default)s)",
    )
    training.add_argument(
        "--supervised-epochs",
        type=int,
        default=None,
        help="passes over the training windows of the supervised row, which trains the whole "
        "network (default: --epochs)",
    )
    training.add_argument(
        "--supervised-learning-rate",
        type=float,
        default=_DEFAULTS.supervised_learning_rate,
        help="Adam's learning rate of the supervised row (default: %(default)s)",
    )
    training.add_argument(
        "--window",
        type=int,
        default=_DEFAULTS.window,
        help="samples per window: the speaker probe's examples, the supervised phone row's "
        "training crops (default: %(default)s, 1.28 s)",
    )
    training.add_argument(
        "--seed",
        type=int,
        default=_DEFAULTS.seed,
        help="seed of weights and shuffling; every row starts from it (default: %(default)s)",
    )
    shared.add_argument(
        "--output-dir",
        type=pathlib.Path,
        default=_DEFAULTS.output_dir,
        metavar="DIR",
        help="results go to its phone/ or speaker/ subfolder (default: %(default)s)",
    )
    shared.add_argument("--quiet", action="store_true", help="no progress bars")
    add_tracking_arguments(shared)

    parser = OneLineErrorParser(
        prog="python -m probes",
        description="Linear probes of frozen speech features on LibriSpeech, the CPC paper's protocol: a linear "
        "softmax on frozen features, trained on train_split.txt and scored on test_split.txt, for CPC features, "
        "the same network randomly initialised, MFCCs, log-mels, and the network trained end to end.",
    )
    tasks = parser.add_subparsers(dest="task", required=True, metavar="TASK")
    tasks.add_parser(
        "phone",
        parents=[shared],
        help="phone classification per frame",
        description="Classify the phone of every frame (the 10 ms label at the frame's centre) with a linear "
        "softmax; report frame accuracy per row, a bar chart and confusion matrices.",
    )
    tasks.add_parser(
        "speaker",
        parents=[shared],
        help="speaker classification per window",
        description="Classify the speaker of every 1.28 s window with a linear softmax on one vector per window; "
        "the classes are all speakers of the split files; report window accuracy per row and a bar chart.",
    )
    abx = tasks.add_parser(
        "abx",
        help="ABX discriminability of triphones, within and across speakers",
        description="ZeroSpeech's ABX error on triphone items cut from the phone alignments: is X (a token of "
        "A's triphone) closer to A than to B (the same context, another central phone) under DTW with the "
        "angular frame distance? Scored within speakers (A, B, X of one speaker) and across (X of another). "
        "Nothing is trained; lower is better, chance is 50 %.",
    )
    abx.add_argument(
        "--tfrecords",
        type=pathlib.Path,
        default=_ABX_DEFAULTS.tfrecords_dir,
        dest="tfrecords_dir",
        metavar="DIR",
        help="converted split; every utterance of it with an alignment is scored (default: %(default)s)",
    )
    abx.add_argument(
        "--alignments",
        type=pathlib.Path,
        default=_ABX_DEFAULTS.alignments_dir,
        dest="alignments_dir",
        metavar="DIR",
        help="folder of converted_aligned_phones.txt and optionally phones.txt, whose SIL/SPN "
        "symbols are silence (without it, id 0 is) (default: %(default)s)",
    )
    abx.add_argument(
        "--model",
        type=pathlib.Path,
        default=_ABX_DEFAULTS.model,
        metavar="FILE",
        help="gar.keras from train.py: c_t, and z_t from the encoder nested in it (default: %(default)s)",
    )
    abx.add_argument(
        "--rows",
        type=_row_list,
        default=_ABX_DEFAULTS.rows,
        metavar="ROW,...",
        help="comma-separated rows: cpc_c, cpc_z (c_t and z_t of --model), random_c, random_z (the same "
        f"network with random weights), logmel, mfcc (default: {','.join(ABX_ROWS)})",
    )
    abx.add_argument(
        "--max-items-per-group",
        type=int,
        default=_ABX_DEFAULTS.max_items_per_group,
        metavar="N",
        help="items kept per triphone category and speaker, drawn with --seed (default: %(default)s)",
    )
    abx.add_argument(
        "--seed",
        type=int,
        default=_ABX_DEFAULTS.seed,
        help="seed of the random rows and of the item draw (default: %(default)s)",
    )
    abx.add_argument(
        "--output-dir",
        type=pathlib.Path,
        default=_ABX_DEFAULTS.output_dir,
        metavar="DIR",
        help="results go to its abx/ subfolder (default: %(default)s)",
    )
    abx.add_argument("--quiet", action="store_true", help="no progress bars")
    add_tracking_arguments(abx)
    return parser


def _row_list(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def main(argv: list[str] | None = None) -> int:
    """Runs the command line.

    Args:
        argv: Arguments after ``python -m probes``; None reads sys.argv.

    Returns:
        The exit status: 0 on success, 2 for a bad flag, label file, model or data, or a failed
        write (a full disk), 130 when interrupted.
    """
    parsed = _build_parser().parse_args(argv)
    tracking = TrackingOptions.from_args(parsed)
    arguments = {
        name: value for name, value in vars(parsed).items() if name not in ("mlflow", "mlflow_experiment", "azureml")
    }
    show_progress = not arguments.pop("quiet")
    if arguments.pop("task") == "abx":
        abx_config = AbxConfig(**arguments, show_progress=show_progress)
        body = functools.partial(_abx_main, abx_config, tracking)
    else:
        probe_config = ProbeConfig(**arguments, task=parsed.task, show_progress=show_progress)
        body = functools.partial(_probe_main, probe_config, tracking)
    try:
        return run_reporting_errors(body)
    except KeyboardInterrupt:
        print("interrupted: no result was written", file=sys.stderr)
        return 130


def _probe_main(config: ProbeConfig, tracking: TrackingOptions) -> int:
    check_config(config)
    # TensorFlow loads only once the flags are known to be good.
    from probes.phone_probe import run_phone_probe
    from probes.probe_report import results_table, write_report
    from probes.speaker_probe import run_speaker_probe

    run = run_phone_probe if config.task == "phone" else run_speaker_probe

    def probe():
        results = run(config)
        accuracies = {
            f"{row.name}/{split}": getattr(row, split) for row in results.rows for split in ("train_acc", "test_acc")
        }
        return results, write_report(results, config.task_dir), "accuracy", accuracies

    results = _tracked(config, f"probe-{config.task}", tracking, probe)
    print(f"\n{config.task} classification, linear probe ({config.task_dir}):")
    print(results_table(results))
    print(
        f"majority class: {results.majority_test_acc:.1%} of the test "
        f"{'frames' if config.task == 'phone' else 'windows'}"
    )
    return 0


def _abx_main(config: AbxConfig, tracking: TrackingOptions) -> int:
    check_abx_config(config)
    from probes.abx_probe import run_abx
    from probes.abx_report import abx_table, write_abx_report

    def abx():
        results = run_abx(config)
        errors = {
            f"{row.name}/{mode}_error": row.score.error(mode)
            for row in results.rows
            for mode in ("within", "across")
            if row.score.error(mode) is not None
        }
        return results, write_abx_report(results, config.task_dir), "abx_error", errors

    results = _tracked(config, "probe-abx", tracking, abx)
    print(f"\nABX error, lower is better, chance 50 % ({config.task_dir}):")
    print(abx_table(results))
    return 0


def _tracked(config, kind: str, tracking: TrackingOptions, work):
    """Runs `work` inside the task folder's tracked run.

    Args:
        config: The probe's `ProbeConfig` or `AbxConfig`.
        kind: The run's kind in run.json, e.g. "probe-phone".
        tracking: Where else the run is logged.
        work: Runs the probe and writes its report; returns the results, the
            files written, the name under which run.json stores the metrics,
            and the metrics.

    Returns:
        The results.
    """
    from librispeech.manifest import MANIFEST_NAME
    from tracking.tracked_run import tracked_run

    manifest = pathlib.Path(config.tfrecords_dir).expanduser() / MANIFEST_NAME
    with tracked_run(
        config.task_dir,
        kind,
        dict(vars(config)),
        tracking,
        config.output_dir,
        [manifest] if manifest.is_file() else [],
        {"seed": config.seed},
    ) as (record, trackers):
        results, written, metrics_name, metrics = work()
        record.finish("completed", {metrics_name: metrics})
        trackers.log_metrics(metrics)
        trackers.log_outputs(config.task_dir, [path.name for path in written] + ["run.json"])
    return results


if __name__ == "__main__":
    sys.exit(main())
