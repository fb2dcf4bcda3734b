"""One CPC pretraining run, from converted splits to the saved encoder, in five stages.

`pretrain` runs them in turn: `resume_position` (where a backup left off), `build_training`
(seeds, input pipelines, model), `fit_training` (the epochs), `diagnose_read_failure` and
`check_divergence` (what went wrong, in one line) and `save_artefacts`.

Writes into ``output_dir``:

* ``genc.h5`` and ``genc.keras``: the encoder alone, audio → z_t, built-in layers only;
* ``gar.keras``: encoder and GRU, audio → c_t, for probes;
* ``config.json``: every setting, grouped as `PretrainingConfig` (``train.py --config``
  repeats the run from it), and under ``resolved`` what they imply: the encoder's hop,
  receptive field and layers, data counts (written first, beside the checkpoints);
* ``metrics.json``: final losses, accuracy per prediction step, epochs, steps, wall time and
  what stopped training (``stopped_by``: ``"epochs"`` or ``"time_budget"``);
* ``checkpoints/``: weights after the last epoch and at the best validation loss;
* ``backup/``: while training, the backup a killed run resumes from (removed at the end,
  kept when ``time_budget`` ended training before its last epoch: the same command resumes);
* ``logs/`` (TensorBoard), ``training_log.csv``, ``plots/prediction_accuracy.png``, ``plots/loss.png``.
"""

import contextlib
import csv
import functools
import logging
import math
import pathlib
import tempfile
import time
from collections.abc import Iterator

import keras
import tensorflow as tf

from artefacts.atomic_files import save_model, save_weights, write_json
from augmentation.past_augmentation import PastAugmentation
from cli.progress_display import keras_verbosity
from librispeech.corpus_error import CorpusError
from librispeech.input_pipeline import PipelineConfig, audio_windows
from librispeech.manifest import Manifest
from librispeech.shard_check import READ_ERRORS, find_damaged_shard
from models.ar_model import ar_model
from models.context_model import context_model
from models.cpc_model import CPCModel
from models.genc_model import genc_model
from pretraining.accuracy_health import AccuracyHealth
from pretraining.best_weights_checkpoint import BestWeightsCheckpoint
from pretraining.built_training import BuiltTraining
from pretraining.distribution import is_chief, make_strategy
from pretraining.elapsed_time_log import ElapsedTimeLog
from pretraining.prediction_accuracy_image import PredictionAccuracyImage
from pretraining.pretraining_result import PretrainingResult
from pretraining.resolved_pretraining import ResolvedPretraining
from pretraining.run_settings import resumable_settings, run_settings
from pretraining.step_decay import StepDecay
from pretraining.training_backup import TrainingBackup, TrainingPosition, discard_backup, read_backup, restore
from pretraining.training_diverged_error import TrainingDivergedError
from pretraining.training_interrupted import TrainingInterrupted
from pretraining.training_plots import plot_loss, plot_prediction_accuracy

_LOG = logging.getLogger(__name__)

BACKUP_FOLDER = "backup"
TRAINING_LOG = "training_log.csv"


def pretrain(
    resolved: ResolvedPretraining,
    verbose: int | str = "auto",
    strategy: tf.distribute.Strategy | None = None,
    extra_callbacks: list[keras.callbacks.Callback] = (),
) -> PretrainingResult:
    """Trains encoder and GRU with the CPC loss and saves the artefacts.

    An epoch is ``steps_per_epoch`` batches, by default as many as the training splits have
    windows, so about one random crop per utterance; validation covers the same windows
    every epoch (``val_steps`` batches, by default the whole validation split).

    A run that finds a backup of the same settings in ``output_dir/backup`` continues from
    it (weights, optimizer state, epoch and step; the learning-rate schedule follows the
    epoch). The input pipeline restarts its seeded shuffle, so the windows after a resume
    differ from an uninterrupted run's. ``restart`` discards the backup.

    ``time_budget`` bounds this call's wall-clock time: training stops after the step that
    leaves just enough time to validate, mid-epoch if need be, and every artefact is written
    as at a normal end, from the weights of that step.

    Args:
        resolved: Checked settings (``resolved_pretraining.resolve``).
        verbose: Keras ``fit`` verbosity: ``"auto"`` shows a progress bar (a line per epoch
            when stdout is not a terminal).
        strategy: The ``tf.distribute`` strategy; by default the one of ``distribute``.
            Under several workers only the chief writes into ``output_dir``; every worker
            resumes from the chief's backup (``output_dir`` must be shared).
        extra_callbacks: More Keras callbacks, e.g. experiment trackers (chief only).

    Raises:
        TrainingDivergedError: The loss became NaN; the last good backup is kept.
        TrainingInterrupted: SIGINT or SIGTERM; a backup of the current step was saved.
        BackupMismatchError: The backup in ``output_dir`` was made with other settings.
        CorpusError: Reading a split failed on a damaged shard (or one that disagrees with
            its manifest); the message names it and says how to convert it again. The last
            backup is kept.
    """
    started = time.monotonic()
    runtime = resolved.config.runtime
    strategy = strategy or make_strategy(runtime.distribute)
    chief = is_chief(strategy)
    shared_dir = pathlib.Path(runtime.output_dir)
    settings = run_settings(resolved)
    resumable = resumable_settings(settings, resolved)
    start = resume_position(shared_dir / BACKUP_FOLDER, resumable, restart=runtime.restart and chief, report=chief)
    with writable_folder(shared_dir, chief) as output_dir:
        write_json(output_dir / "config.json", settings)
        built = build_training(resolved, strategy, start, shared_dir / BACKUP_FOLDER)
        deadline = None if runtime.time_budget is None else started + 60 * runtime.time_budget
        backup = TrainingBackup(
            output_dir / BACKUP_FOLDER,
            resumable,
            built.steps_per_epoch,
            runtime.backup_every_steps,
            start,
            deadline=deadline,
            val_steps=built.val_steps,
        )
        callbacks = training_callbacks(resolved, output_dir, backup, started, chief)
        fit_training(
            resolved, built, [*callbacks, *(extra_callbacks if chief else ())], backup, start, verbose if chief else 0
        )
        wall_seconds = time.monotonic() - started
        if not chief:
            return PretrainingResult(shared_dir, {}, {})
        history = epoch_history(output_dir / TRAINING_LOG)
        check_divergence(history, output_dir / BACKUP_FOLDER)
        metrics = save_artefacts(resolved, built, history, backup.saved_position, wall_seconds, output_dir)
    return PretrainingResult(output_dir, metrics, history)


def resume_position(
    backup_dir: pathlib.Path, resumable: dict, restart: bool = False, report: bool = True
) -> TrainingPosition:
    """The resume stage: where the backup in ``backup_dir`` left off, the start without one.

    Args:
        backup_dir: The run's backup folder.
        resumable: ``run_settings.resumable_settings`` of the run; a backup of other
            settings is refused.
        restart: Discard the backup first (the chief's ``--restart``).
        report: Log where training resumes (the chief does).

    Raises:
        BackupMismatchError: The backup was made with other settings or data, or is damaged.
    """
    if restart:
        discard_backup(backup_dir)
    start = read_backup(backup_dir, resumable) or TrainingPosition()
    if start != TrainingPosition() and report:
        _LOG.info("resuming from the backup in %s: epoch %d, after step %d", backup_dir, start.epoch + 1, start.step)
    return start


def build_training(
    resolved: ResolvedPretraining,
    strategy: tf.distribute.Strategy,
    start: TrainingPosition,
    backup_dir: pathlib.Path,
) -> BuiltTraining:
    """The build stage: seeds, the input pipelines and the compiled model, restored when resuming.

    Args:
        resolved: The run's checked settings.
        strategy: The distribution strategy the model is built under.
        start: Where training starts; past the beginning, the weights and optimizer state
            are read from ``backup_dir``.
        backup_dir: The backup to restore from.
    """
    config = resolved.config
    # A resumed run draws new numbers; the sum wraps to stay a valid 32-bit seed.
    keras.utils.set_random_seed((config.optimisation.seed + start.epoch * 1009 + start.step) % 2**32)
    pipeline = training_pipeline(resolved)
    batch_size, window = config.optimisation.batch_size, config.data.window
    steps_per_epoch = config.optimisation.steps_per_epoch or (
        sum(_windows(manifest, window) for manifest in resolved.train_manifests) // batch_size
    )
    val_steps = config.optimisation.val_steps or (
        resolved.val_manifest.grouped_windows(window, resolved.windows_per_speaker) // batch_size
    )
    train_windows = _distributed(strategy, resolved.train_dirs, pipeline, training=True)
    val_windows = _distributed(strategy, resolved.val_dir, pipeline, training=False)
    if config.runtime.mixed_precision:
        keras.mixed_precision.set_dtype_policy("mixed_float16")
    with strategy.scope():
        model = training_model(resolved)
        model.compile(optimizer=keras.optimizers.Adam(config.optimisation.lr))
        if start != TrainingPosition():
            restore(model, backup_dir)
    return BuiltTraining(model, train_windows, val_windows, steps_per_epoch, val_steps)


def training_callbacks(
    resolved: ResolvedPretraining, output_dir: pathlib.Path, backup: TrainingBackup, started: float, chief: bool
) -> list[keras.callbacks.Callback]:
    """The run's Keras callbacks, in the order they must see each epoch's logs.

    The elapsed time is logged before the CSV logger writes its row; the figure of a resumed
    run starts from the epochs of ``training_log.csv``.

    Args:
        resolved: The run's checked settings.
        output_dir: Where checkpoints, logs and the training log go.
        backup: The run's backup callback, first so that it backs up before the others' work.
        started: ``time.monotonic()`` at the run's start.
        chief: Whether this worker writes the artefacts (and so has a training log to resume).
    """
    optimisation = resolved.config.optimisation
    resuming = backup.position != TrainingPosition()
    chance = resolved.chance_accuracy
    checkpoints = output_dir / "checkpoints"
    checkpoints.mkdir(exist_ok=True)
    return [
        backup,
        AccuracyHealth(resolved.pred_steps, chance),
        ElapsedTimeLog(started),
        keras.callbacks.TerminateOnNaN(),
        keras.callbacks.LearningRateScheduler(
            StepDecay(optimisation.lr, optimisation.lr_milestones, optimisation.lr_divisor)
        ),
        BestWeightsCheckpoint(checkpoints / "best.weights.h5", monitor="val_loss"),
        keras.callbacks.CSVLogger(output_dir / TRAINING_LOG, append=resuming),
        keras.callbacks.TensorBoard(log_dir=output_dir / "logs"),
        PredictionAccuracyImage(
            output_dir / "logs",
            resolved.pred_steps,
            chance,
            initial_history=epoch_history(output_dir / TRAINING_LOG) if resuming and chief else None,
        ),
    ]


def fit_training(
    resolved: ResolvedPretraining,
    built: BuiltTraining,
    callbacks: list[keras.callbacks.Callback],
    backup: TrainingBackup,
    start: TrainingPosition,
    verbose: int | str,
) -> None:
    """The fit stage: the rest of a resumed epoch, then whole epochs up to the last.

    A resume mid-epoch fits the steps left of that epoch first, so that the next epochs are
    whole; a stop (signal, time budget, NaN) after that part skips the rest.

    Args:
        resolved: The run's checked settings.
        built: Model and data (`build_training`).
        callbacks: Every callback, ``backup`` among them.
        backup: The run's backup, which records signals and the deadline.
        start: Where training starts.
        verbose: Keras ``fit`` verbosity.

    Raises:
        TrainingInterrupted: SIGINT or SIGTERM; the backup holds the current step.
        CorpusError: Reading failed on a damaged shard (`diagnose_read_failure`).
    """
    epochs = resolved.config.optimisation.epochs
    fit = functools.partial(
        built.model.fit,
        built.train_windows,
        validation_data=built.val_windows,
        validation_steps=built.val_steps,
        callbacks=callbacks,
        verbose=keras_verbosity(verbose),
        shuffle=False,  # The input pipeline shuffles; Keras cannot shuffle a tf.data.Dataset.
    )
    next_epoch = start.epoch
    try:
        if start.step and start.epoch < epochs:
            fit(initial_epoch=start.epoch, epochs=start.epoch + 1, steps_per_epoch=built.steps_per_epoch - start.step)
            next_epoch += 1
        stopped = backup.interrupted_by is not None or backup.reached_deadline or built.model.stop_training
        if not stopped and next_epoch < epochs:
            fit(initial_epoch=next_epoch, epochs=epochs, steps_per_epoch=built.steps_per_epoch)
    except READ_ERRORS as error:
        # Ctrl-C must stop the scan below rather than ask a finished fit for a backup.
        backup.restore_signal_handlers()
        damage = diagnose_read_failure((resolved.val_dir, *resolved.train_dirs), error)
        if damage is None:
            raise
        raise damage from error
    finally:
        backup.restore_signal_handlers()
    if backup.interrupted_by is not None:
        raise TrainingInterrupted(backup.interrupted_by, backup.position, backup.directory)


def diagnose_read_failure(split_dirs: tuple[pathlib.Path, ...], error: Exception) -> CorpusError | None:
    """The diagnose stage of a failed read: the first damaged shard of the splits, None if every shard is sound.

    Args:
        split_dirs: The splits' TFRecord folders, smallest first (the scan stops at the first damage).
        error: What reading raised.
    """
    _LOG.info(
        "\nreading the data failed (%s); checking the shards of %s",
        type(error).__name__,
        " and ".join(map(str, split_dirs)),
    )
    for directory in split_dirs:
        damage = find_damaged_shard(directory)
        if damage is not None:
            # The backups are written only after steps that succeeded, so the last one is sound.
            return CorpusError(f"{damage}; then rerun this command, which resumes from the last backup")
    return None


def check_divergence(history: dict[str, list[float]], backup_dir: pathlib.Path) -> None:
    """The diagnose stage of a finished fit: every epoch's loss is finite.

    Raises:
        TrainingDivergedError: An epoch's loss is NaN or infinite; the message says where the
            last good weights are.
    """
    if not all(math.isfinite(value) for value in history.get("loss", ())):
        raise TrainingDivergedError(
            f"training diverged (loss is NaN) in epoch {len(history['loss'])}; the last good weights are backed up "
            f"in {backup_dir} (rerun to resume from them, or --restart with a lower --lr)"
        )


def save_artefacts(
    resolved: ResolvedPretraining,
    built: BuiltTraining,
    history: dict[str, list[float]],
    reached: TrainingPosition,
    wall_seconds: float,
    output_dir: pathlib.Path,
) -> dict:
    """The save stage: weights, encoders, metrics and figures; the backup goes once every epoch is done.

    Args:
        resolved: The run's checked settings.
        built: The trained model (`build_training`).
        history: Per-epoch metrics of the whole run (`epoch_history`).
        reached: Where training stopped (the last backup's position).
        wall_seconds: The run's time so far.
        output_dir: Where everything is written.

    Returns:
        The content of ``metrics.json``.
    """
    config = resolved.config
    finished = reached.epoch >= config.optimisation.epochs
    steps = reached.epoch * built.steps_per_epoch + reached.step
    metrics = {
        **final_metrics(history, resolved, steps, wall_seconds),
        "stopped_by": "epochs" if finished else "time_budget",
    }
    model = built.model
    save_weights(model, output_dir / "checkpoints" / "last.weights.h5")
    save_model(model.encoder, output_dir / "genc.h5")
    save_model(model.encoder, output_dir / "genc.keras")
    save_model(context_model(model.encoder, model.ar), output_dir / "gar.keras")
    write_json(output_dir / "metrics.json", metrics)
    plots = output_dir / "plots"
    plot_prediction_accuracy(
        history, resolved.pred_steps, metrics["chance_accuracy"], plots / "prediction_accuracy.png"
    )
    plot_loss(history, plots / "loss.png")
    if finished:
        discard_backup(output_dir / BACKUP_FOLDER)
    else:
        _LOG.info(
            "time budget of %g min reached in epoch %d after step %d; the artefacts hold this state and %s resumes "
            "from it",
            config.runtime.time_budget,
            reached.epoch + 1,
            reached.step,
            output_dir / BACKUP_FOLDER,
        )
    return metrics


@contextlib.contextmanager
def writable_folder(shared_dir: pathlib.Path, chief: bool) -> Iterator[pathlib.Path]:
    """The folder this worker writes into: ``shared_dir`` for the chief, else a scratch folder of its own.

    Only the scratch folder, which this process made, is removed at the end: nothing in
    ``shared_dir`` is ever deleted wholesale.
    """
    if chief:
        shared_dir.mkdir(parents=True, exist_ok=True)
        yield shared_dir
        return
    with tempfile.TemporaryDirectory(prefix="cpc-worker-") as scratch:
        yield pathlib.Path(scratch)


def epoch_history(csv_path: pathlib.Path) -> dict[str, list[float]]:
    """Per-epoch metrics of the whole run, across resumes: the last row of each epoch wins.

    Empty when no epoch has ended yet: a run resumed from a backup made within its first
    epoch finds the log without a row.
    """
    with open(csv_path, newline="") as log:
        rows = {int(row["epoch"]): row for row in csv.DictReader(log)}
    names = [name for name in next(iter(rows.values()), {}) if name != "epoch"]
    return {name: [float(rows[epoch][name]) for epoch in sorted(rows)] for name in names}


def training_pipeline(resolved: ResolvedPretraining) -> PipelineConfig:
    """The input pipeline's settings for training and validation of a run."""
    config = resolved.config
    return PipelineConfig(
        window=config.data.window,
        batch_size=config.optimisation.batch_size,
        normalize=config.data.normalize,
        crops_per_utterance=config.data.crops_per_utterance,
        repeat=True,
        seed=config.optimisation.seed,
        windows_per_speaker=resolved.windows_per_speaker,
        augment=None if resolved.augment is None else PastAugmentation(resolved.augment, config.optimisation.seed or 0),
    )


def training_model(resolved: ResolvedPretraining) -> CPCModel:
    """The run's CPC model (encoder, autoregressive net, predictor and loss), not compiled.

    Built under the distribution strategy's scope when there is one.
    """
    config = resolved.config
    return CPCModel(
        genc_model(resolved.spec),
        ar_model(resolved.spec.dim_z, resolved.dim_c, cell=resolved.ar, layers=resolved.ar_layers),
        pred_steps=resolved.pred_steps,
        num_neg=resolved.num_neg,
        negatives=resolved.negatives,
        t_skip=config.loss.t_skip,
        targets_gradient=config.loss.targets_gradient,
        seed=config.optimisation.seed,
        predictor=resolved.predictor,
        predictor_dropout=resolved.predictor_dropout,
        windows_per_speaker=resolved.windows_per_speaker,
    )


def _windows(manifest: Manifest, window: int) -> int:
    """Utterances long enough for one window each."""
    return manifest.num_records - manifest.count_shorter_than(window)


def _distributed(
    strategy: tf.distribute.Strategy,
    directories: pathlib.Path | list[pathlib.Path],
    pipeline: PipelineConfig,
    training: bool,
):
    """The windows of one split or several (`audio_windows`); under several workers each reads its own shard files.

    Without distribution the default strategy hands back the plain ``tf.data.Dataset``.
    """
    return strategy.distribute_datasets_from_function(
        lambda context: audio_windows(directories, pipeline, training=training, input_context=context)
    )


def accuracy_table(metrics: dict) -> str:
    """Markdown table of training and validation accuracy for every prediction step."""
    chance = metrics["chance_accuracy"]
    lines = ["| step k | train accuracy | val accuracy | val / chance |", "|---:|---:|---:|---:|"]
    for step, val_accuracy in metrics["val_accuracy_per_step"].items():
        train_accuracy = metrics["train_accuracy_per_step"][step]
        lines.append(f"| {step} | {train_accuracy:.3f} | {val_accuracy:.3f} | {val_accuracy / chance:.1f}x |")
    return "\n".join(lines)


def final_metrics(history: dict, resolved: ResolvedPretraining, steps: int, wall_seconds: float) -> dict:
    """``metrics.json`` but ``stopped_by``: the last epoch's losses and accuracies, chance, and how long it took."""
    pred_steps = resolved.pred_steps
    return {
        "train_loss": history["loss"][-1],
        "val_loss": history["val_loss"][-1],
        "train_accuracy_per_step": {str(k): history[f"accuracy_{k}"][-1] for k in range(1, pred_steps + 1)},
        "val_accuracy_per_step": {str(k): history[f"val_accuracy_{k}"][-1] for k in range(1, pred_steps + 1)},
        "chance_accuracy": resolved.chance_accuracy,
        "epochs": len(history["loss"]),
        "steps": steps,
        "windows": steps * resolved.config.optimisation.batch_size,
        "wall_seconds": round(wall_seconds, 3),
    }
