"""One CPC pretraining run, from converted splits to the saved encoder.

Writes into ``output_dir``:

* ``genc.h5`` and ``genc.keras``: the encoder alone, audio → z_t, built-in layers only;
* ``gar.keras``: encoder and GRU, audio → c_t, for probes;
* ``config.json``: every setting and the encoder's hop and receptive field (written first,
  beside the checkpoints);
* ``metrics.json``: final losses, accuracy per prediction step, epochs, steps, wall time and
  what stopped training (``stopped_by``: ``"epochs"`` or ``"time_budget"``);
* ``checkpoints/``: weights after the last epoch and at the best validation loss;
* ``backup/``: while training, the backup a killed run resumes from (removed at the end,
  kept when ``time_budget`` ended training before its last epoch: the same command resumes);
* ``logs/`` (TensorBoard), ``training_log.csv``, ``plots/prediction_accuracy.png``, ``plots/loss.png``.
"""

import csv
import dataclasses
import functools
import hashlib
import math
import pathlib
import shutil
import signal
import tempfile
import time

import keras
import tensorflow as tf

from librispeech.corpus_error import CorpusError
from librispeech.input_pipeline import PipelineConfig, audio_windows
from librispeech.manifest import MANIFEST_NAME
from librispeech.shard_check import READ_ERRORS, find_damaged_shard
from models.ar_model import ar_model
from models.context_model import context_model
from models.cpc_model import CPCModel
from models.genc_model import genc_model
from pretraining.accuracy_health import AccuracyHealth
from pretraining.best_weights_checkpoint import BestWeightsCheckpoint
from pretraining.distribution import is_chief, make_strategy
from pretraining.elapsed_time_log import ElapsedTimeLog
from pretraining.pretraining_config import ResolvedPretraining
from pretraining.step_decay import StepDecay
from pretraining.training_backup import DATA_KEY, TrainingBackup, TrainingPosition, read_backup, restore
from pretraining.training_plots import plot_loss, plot_prediction_accuracy
from tracking.artefact_files import save_model, save_weights, write_json
from tracking.prediction_accuracy_image import PredictionAccuracyImage


class TrainingDivergedError(RuntimeError):
    """The loss became NaN or infinite; no model was saved from the run."""


@dataclasses.dataclass
class PretrainingResult:
    """What a finished run left behind.

    Attributes:
        output_dir: The folder holding every artefact.
        metrics: The content of ``metrics.json``; empty on workers other than the chief.
        history: Per-epoch values of every logged metric.
    """

    output_dir: pathlib.Path
    metrics: dict
    history: dict[str, list[float]]


def pretrain(
    resolved: ResolvedPretraining,
    verbose: int | str = "auto",
    strategy: tf.distribute.Strategy | None = None,
    extra_callbacks: list[keras.callbacks.Callback] = (),
) -> PretrainingResult:
    """Trains encoder and GRU with the CPC loss and saves the artefacts.

    An epoch is ``steps_per_epoch`` batches, by default as many as the training split has
    windows, so about one random crop per utterance; validation covers the same windows
    every epoch (``val_steps`` batches, by default the whole validation split).

    A run that finds a backup of the same settings in ``output_dir/backup`` continues from
    it (weights, optimizer state, epoch and step; the learning-rate schedule follows the
    epoch). The input pipeline restarts its seeded shuffle, so the windows after a resume
    differ from an uninterrupted run's. ``config.restart`` discards the backup.

    ``config.time_budget`` bounds this call's wall-clock time: training stops after the step
    that leaves just enough time to validate, mid-epoch if need be, and every artefact is
    written as at a normal end, from the weights of that step.

    Args:
        resolved: Checked settings (``pretraining_config.resolve``).
        verbose: Keras ``fit`` verbosity: ``"auto"`` shows a progress bar.
        strategy: The ``tf.distribute`` strategy; by default the one of ``config.distribute``.
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
    config = resolved.config
    started = time.monotonic()
    strategy = strategy or make_strategy(config.distribute)
    chief = is_chief(strategy)
    shared_backup = pathlib.Path(config.output_dir) / "backup"
    if config.restart and chief:
        shutil.rmtree(shared_backup, ignore_errors=True)
    settings = run_settings(resolved)
    resumable = _resumable(settings, resolved)
    start = read_backup(shared_backup, resumable) or TrainingPosition()
    if start != TrainingPosition() and chief:
        print(f"resuming from the backup in {shared_backup}: epoch {start.epoch + 1}, after step {start.step}")
    output_dir = pathlib.Path(config.output_dir) if chief else pathlib.Path(tempfile.mkdtemp(prefix="cpc-worker-"))
    output_dir.mkdir(parents=True, exist_ok=True)
    # A resumed run draws new numbers; the sum wraps to stay a valid 32-bit seed.
    keras.utils.set_random_seed((config.seed + start.epoch * 1009 + start.step) % 2**32)
    write_json(output_dir / "config.json", settings)

    pipeline = training_pipeline(resolved)
    steps_per_epoch = config.steps_per_epoch or _windows(resolved.train_manifest, config.window) // config.batch_size
    val_steps = config.val_steps or (
        resolved.val_manifest.grouped_windows(config.window, resolved.windows_per_speaker) // config.batch_size
    )
    train_windows = _distributed(strategy, resolved.train_dir, pipeline, training=True)
    val_windows = _distributed(strategy, resolved.val_dir, pipeline, training=False)

    if config.mixed_precision:
        keras.mixed_precision.set_dtype_policy("mixed_float16")
    with strategy.scope():
        model = training_model(resolved)
        encoder, ar = model.encoder, model.ar
        model.compile(optimizer=keras.optimizers.Adam(config.lr))
        if start != TrainingPosition():
            restore(model, shared_backup)

    backup = TrainingBackup(
        output_dir / "backup",
        resumable,
        steps_per_epoch,
        config.backup_every_steps,
        start,
        deadline=None if config.time_budget is None else started + 60 * config.time_budget,
        val_steps=val_steps,
    )
    health = AccuracyHealth(resolved.pred_steps, resolved.chance_accuracy)
    resuming = start != TrainingPosition()
    figure = PredictionAccuracyImage(
        output_dir / "logs", resolved.pred_steps, resolved.chance_accuracy,
        initial_history=_epoch_history(output_dir / "training_log.csv") if resuming and chief else None,
    )
    callbacks = [
        backup, health, ElapsedTimeLog(started), *_callbacks(config, output_dir, resuming), figure,
        *(extra_callbacks if chief else ()),
    ]
    fit = functools.partial(
        model.fit,
        train_windows,
        validation_data=val_windows,
        validation_steps=val_steps,
        callbacks=callbacks,
        verbose=verbose if chief else 0,
        shuffle=False,  # The input pipeline shuffles; Keras cannot shuffle a tf.data.Dataset.
    )
    next_epoch = start.epoch
    try:
        if start.step and start.epoch < config.epochs:
            fit(initial_epoch=start.epoch, epochs=start.epoch + 1, steps_per_epoch=steps_per_epoch - start.step)
            next_epoch += 1
        stopped = backup.interrupted_by is not None or backup.reached_deadline or model.stop_training
        if not stopped and next_epoch < config.epochs:
            fit(initial_epoch=next_epoch, epochs=config.epochs, steps_per_epoch=steps_per_epoch)
    except READ_ERRORS as error:
        # Ctrl-C must stop the scan below rather than ask a finished fit for a backup.
        backup.restore_signal_handlers()
        damage = _damaged_shard(resolved, error)
        if damage is None:
            raise
        raise damage from error
    finally:
        backup.restore_signal_handlers()
    wall_seconds = time.monotonic() - started
    if backup.interrupted_by is not None:
        raise TrainingInterrupted(backup.interrupted_by, backup.position, output_dir / "backup")

    history = _epoch_history(output_dir / "training_log.csv") if chief else {}
    if chief and not all(math.isfinite(value) for value in history["loss"]):
        raise TrainingDivergedError(
            f"training diverged (loss is NaN) in epoch {len(history['loss'])}; the last good weights are backed up "
            f"in {output_dir / 'backup'} (rerun to resume from them, or --restart with a lower --lr)"
        )
    if not chief:
        shutil.rmtree(output_dir, ignore_errors=True)
        return PretrainingResult(pathlib.Path(config.output_dir), {}, history)

    reached = backup.saved_position
    finished = reached.epoch >= config.epochs
    metrics = _final_metrics(history, resolved, reached.epoch * steps_per_epoch + reached.step, wall_seconds)
    metrics["stopped_by"] = "epochs" if finished else "time_budget"
    save_weights(model, output_dir / "checkpoints" / "last.weights.h5")
    save_model(encoder, output_dir / "genc.h5")
    save_model(encoder, output_dir / "genc.keras")
    save_model(context_model(encoder, ar), output_dir / "gar.keras")
    write_json(output_dir / "metrics.json", metrics)
    plot_prediction_accuracy(history, resolved.pred_steps, resolved.chance_accuracy, output_dir / "plots" / "prediction_accuracy.png")
    plot_loss(history, output_dir / "plots" / "loss.png")
    if finished:
        shutil.rmtree(output_dir / "backup", ignore_errors=True)
    else:
        print(f"time budget of {config.time_budget:g} min reached in epoch {reached.epoch + 1} after step "
              f"{reached.step}; the artefacts hold this state and {output_dir / 'backup'} resumes from it")
    return PretrainingResult(output_dir, metrics, history)


class TrainingInterrupted(RuntimeError):
    """SIGINT or SIGTERM stopped training after saving a backup.

    Attributes:
        signum: The signal received.
        position: Where training stood (epoch from 0, steps done in it).
        backup_dir: Where the backup is.
    """

    def __init__(self, signum: int, position: TrainingPosition, backup_dir: pathlib.Path):
        super().__init__(
            f"interrupted by {signal.Signals(signum).name} in epoch {position.epoch + 1} after step {position.step}; "
            f"backup saved in {backup_dir}: run the same command again to resume"
        )
        self.signum = signum
        self.position = position
        self.backup_dir = backup_dir


def _resumable(settings: dict, resolved: ResolvedPretraining) -> dict:
    """What a backup must share with the run resuming it: every setting but how long to train, and the data.

    The data are the sha256 of each split's ``manifest.json``, so a split converted again
    since the backup (other audio, other shards) is noticed.
    """
    kept = {key: value for key, value in settings.items() if key not in ("epochs", "time_budget", "restart")}
    manifests = {split: hashlib.sha256((directory / MANIFEST_NAME).read_bytes()).hexdigest()
                 for split, directory in ((resolved.config.train_split, resolved.train_dir),
                                          (resolved.config.val_split, resolved.val_dir))}
    return {**kept, DATA_KEY: manifests}


def _epoch_history(csv_path: pathlib.Path) -> dict[str, list[float]]:
    """Per-epoch metrics of the whole run, across resumes: the last row of each epoch wins.

    Empty when no epoch has ended yet: a run resumed from a backup made within its first
    epoch finds the log without a row.
    """
    with open(csv_path, newline="") as log:
        rows = {int(row["epoch"]): row for row in csv.DictReader(log)}
    names = [name for name in next(iter(rows.values()), {}) if name != "epoch"]
    return {name: [float(rows[epoch][name]) for epoch in sorted(rows)] for name in names}


def _damaged_shard(resolved: ResolvedPretraining, error: Exception) -> CorpusError | None:
    """The damaged shard behind a failed read, None if every shard is sound.

    The validation split is scanned first: it is the smaller one.
    """
    print(f"\nreading the data failed ({type(error).__name__}); checking the shards of {resolved.val_dir} "
          f"and {resolved.train_dir}", flush=True)
    damage = find_damaged_shard(resolved.val_dir) or find_damaged_shard(resolved.train_dir)
    if damage is None:
        return None
    # The backups are written only after steps that succeeded, so the last one is sound.
    return CorpusError(f"{damage}; then rerun this command, which resumes from the last backup")


def training_pipeline(resolved: ResolvedPretraining) -> PipelineConfig:
    """The input pipeline's settings for training and validation of a run."""
    config = resolved.config
    return PipelineConfig(
        window=config.window,
        batch_size=config.batch_size,
        normalize=config.normalize,
        crops_per_utterance=config.crops_per_utterance,
        repeat=True,
        seed=config.seed,
        windows_per_speaker=resolved.windows_per_speaker,
        augment=resolved.augment,
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
        t_skip=config.t_skip,
        targets_gradient=config.targets_gradient,
        seed=config.seed,
        predictor=resolved.predictor,
        predictor_dropout=resolved.predictor_dropout,
        windows_per_speaker=resolved.windows_per_speaker,
    )


def _windows(manifest, window: int) -> int:
    """Utterances long enough for one window each."""
    return manifest.num_records - manifest.count_shorter_than(window)


def _distributed(strategy: tf.distribute.Strategy, directory: pathlib.Path, pipeline: PipelineConfig, training: bool):
    """The windows of a split, each worker reading its own shard files when there are several.

    Without distribution the default strategy hands back the plain ``tf.data.Dataset``.
    """
    return strategy.distribute_datasets_from_function(
        lambda context: audio_windows(directory, pipeline, training=training, input_context=context)
    )


def run_settings(resolved: ResolvedPretraining) -> dict:
    """Every setting as given plus what it resolves to, for ``config.json``."""
    config = resolved.config
    settings = _json_fields(config)
    spec = resolved.spec
    settings["resolved"] = {
        "dim_z": spec.dim_z,
        "dim_c": resolved.dim_c,
        "pred_steps": resolved.pred_steps,
        "ar": resolved.ar,
        "ar_layers": resolved.ar_layers,
        "predictor": resolved.predictor,
        "predictor_dropout": resolved.predictor_dropout,
        "num_neg": resolved.num_neg,
        "negatives": resolved.negatives,
        "windows_per_speaker": resolved.windows_per_speaker,
        "augment": None if resolved.augment is None else _json_fields(resolved.augment),
        "norm": spec.norm,
        "activate_last": spec.activate_last,
        "hop": spec.hop,
        "receptive_field": spec.receptive_field,
        "frames_per_window": resolved.frames_per_window,
        "scored_context_steps": resolved.frames_per_window - config.t_skip - resolved.pred_steps,
        "chance_accuracy": resolved.chance_accuracy,
        "conv_dims": [[getattr(layer, f.name) for f in dataclasses.fields(layer)] for layer in spec.layers] + [spec.dim_z],
        "train_utterances": resolved.train_manifest.num_records,
        "train_utterances_shorter_than_window": resolved.train_manifest.count_shorter_than(config.window),
        "val_utterances": resolved.val_manifest.num_records,
        "val_utterances_shorter_than_window": resolved.val_manifest.count_shorter_than(config.window),
    }
    return settings


def _json_fields(settings) -> dict:
    """A dataclass's fields as JSON values: paths as strings, tuples as lists (as read back)."""

    def plain(value):
        if isinstance(value, pathlib.Path):
            return str(value)
        return list(value) if isinstance(value, tuple) else value

    return {key: plain(value) for key, value in dataclasses.asdict(settings).items()}


def accuracy_table(metrics: dict) -> str:
    """Markdown table of training and validation accuracy for every prediction step."""
    chance = metrics["chance_accuracy"]
    lines = ["| step k | train accuracy | val accuracy | val / chance |", "|---:|---:|---:|---:|"]
    for step, val_accuracy in metrics["val_accuracy_per_step"].items():
        train_accuracy = metrics["train_accuracy_per_step"][step]
        lines.append(f"| {step} | {train_accuracy:.3f} | {val_accuracy:.3f} | {val_accuracy / chance:.1f}x |")
    return "\n".join(lines)


def _callbacks(config, output_dir: pathlib.Path, resuming: bool) -> list[keras.callbacks.Callback]:
    checkpoints = output_dir / "checkpoints"
    checkpoints.mkdir(exist_ok=True)
    return [
        keras.callbacks.TerminateOnNaN(),
        keras.callbacks.LearningRateScheduler(StepDecay(config.lr, config.lr_milestones, config.lr_divisor)),
        BestWeightsCheckpoint(checkpoints / "best.weights.h5", monitor="val_loss"),
        keras.callbacks.CSVLogger(output_dir / "training_log.csv", append=resuming),
        keras.callbacks.TensorBoard(log_dir=output_dir / "logs"),
    ]


def _final_metrics(history: dict, resolved: ResolvedPretraining, steps: int, wall_seconds: float) -> dict:
    pred_steps = resolved.pred_steps
    return {
        "train_loss": history["loss"][-1],
        "val_loss": history["val_loss"][-1],
        "train_accuracy_per_step": {str(k): history[f"accuracy_{k}"][-1] for k in range(1, pred_steps + 1)},
        "val_accuracy_per_step": {str(k): history[f"val_accuracy_{k}"][-1] for k in range(1, pred_steps + 1)},
        "chance_accuracy": resolved.chance_accuracy,
        "epochs": len(history["loss"]),
        "steps": steps,
        "windows": steps * resolved.config.batch_size,
        "wall_seconds": round(wall_seconds, 3),
    }
