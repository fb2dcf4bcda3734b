"""Pretraining settings checked against each other and the data, with every default they imply."""

import dataclasses
import pathlib

from augmentation.augmentation_config import AugmentConfig, parse_augment
from augmentation.augmentation_error import AugmentationError
from librispeech.corpus_error import CorpusError
from librispeech.manifest import Manifest, read_manifest
from librispeech.split_weights import split_weights
from losses.negative_modes import NEGATIVE_MODES
from models.encoder_spec import (
    AR_CELLS,
    PREDICTORS,
    EncoderSpec,
    EncoderSpecError,
    resolve_encoder_spec,
)
from pretraining.cluster_config import DISTRIBUTE_MODES, DistributionError, check_cluster_config
from pretraining.pretraining_config import PretrainingConfig
from pretraining.pretraining_config_error import PretrainingConfigError

_WINDOWS_PER_SPEAKER = 4
"""Windows of one speaker per batch group by default: 3 other windows to draw negatives from,
and a batch of 64 still spans 16 speakers."""
MAX_T_SKIP = 10_000
"""Most unscored context steps: with hop 256 that is a window of 160 s."""
MAX_PRED_STEPS = 1_000
"""Most future steps predicted."""


@dataclasses.dataclass
class ResolvedPretraining:
    """A checked configuration with everything it implies.

    Attributes:
        config: The settings as given.
        spec: The encoder's layers and geometry.
        pred_steps: K after applying the encoder's default.
        dim_c: Context size after applying the encoder's default.
        ar: Recurrent cell after applying the encoder's default.
        ar_layers: Recurrent layers after applying the encoder's default.
        predictor: Prediction network after applying the encoder's default.
        predictor_dropout: Predictor dropout after applying the encoder's default.
        num_neg: Negatives per positive after applying the encoder's default.
        negatives: Where negatives are drawn after applying the encoder's default.
        windows_per_speaker: Windows of one speaker per group in a batch (1 unless
            ``negatives`` is ``"speaker"``).
        augment: The parsed augmentation, None for clean training.
        train_splits: The training splits' names, as ``train_split`` lists them.
        train_dirs: Their TFRecord folders, in the same order.
        val_dir: The validation split's TFRecord folder.
        train_manifests: What the training splits hold, in the same order.
        val_manifest: What the validation split holds.
    """

    config: PretrainingConfig
    spec: EncoderSpec
    pred_steps: int
    dim_c: int
    ar: str
    ar_layers: int
    predictor: str
    predictor_dropout: float
    num_neg: int
    negatives: str
    windows_per_speaker: int
    augment: AugmentConfig | None
    train_splits: list[str]
    train_dirs: list[pathlib.Path]
    val_dir: pathlib.Path
    train_manifests: list[Manifest]
    val_manifest: Manifest

    @property
    def chance_accuracy(self) -> float:
        """Accuracy of guessing among the positive and its negatives, ``1 / (num_neg + 1)``."""
        return 1 / (self.num_neg + 1)

    @property
    def train_weights(self) -> list[float]:
        """Each training split's share of the hours: the probability that a training window comes from it."""
        return split_weights(self.train_manifests)

    @property
    def frames_per_window(self) -> int:
        return self.spec.num_frames(self.config.data.window)

    def minimum_window(self) -> int:
        """Fewest samples covering the receptive field, the prediction span and one scored context step."""
        frames_needed = self.config.loss.t_skip + 1 + self.pred_steps
        return max(
            self.spec.receptive_field + self.pred_steps * self.spec.hop, self.spec.samples_for_frames(frames_needed)
        )


def resolve(config: PretrainingConfig) -> ResolvedPretraining:
    """Checks the settings and the data, before any model or dataset is built.

    Raises:
        PretrainingConfigError: A setting out of range, settings that contradict each
            other, an unusable encoder file, a split that is not converted, or a
            ``--train-split`` list with an empty or repeated name.
    """
    _check_ranges(config)
    data, model, loss, optimisation = config.data, config.model, config.loss, config.optimisation
    for flag, value, allowed in (
        ("--negatives", loss.negatives, NEGATIVE_MODES),
        ("--ar", model.ar, AR_CELLS),
        ("--predictor", model.predictor, PREDICTORS),
        ("--distribute", config.runtime.distribute, DISTRIBUTE_MODES),
    ):
        if value is not None and value not in allowed:
            raise PretrainingConfigError(f"{flag} must be one of {', '.join(allowed)}, got {value!r}")
    try:
        check_cluster_config(config.runtime.distribute)
    except DistributionError as error:
        raise PretrainingConfigError(str(error)) from None
    try:
        spec = resolve_encoder_spec(model.encoder, model.dim_z)
    except EncoderSpecError as error:
        raise PretrainingConfigError(f"--encoder: {error}") from None
    negatives = loss.negatives or spec.default_negatives
    if negatives == "batch" and optimisation.batch_size < 2:
        raise PretrainingConfigError("--negatives batch needs --batch-size of at least 2")
    if negatives != "speaker" and (data.windows_per_speaker or 1) > 1:
        raise PretrainingConfigError(
            f"--windows-per-speaker {data.windows_per_speaker} needs --negatives speaker (negatives are {negatives})"
        )
    windows_per_speaker = (data.windows_per_speaker or _WINDOWS_PER_SPEAKER) if negatives == "speaker" else 1
    if optimisation.batch_size % windows_per_speaker:
        raise PretrainingConfigError(
            f"--batch-size {optimisation.batch_size} must be a multiple of --windows-per-speaker {windows_per_speaker}"
        )
    if data.noise_dir is not None and data.augment is None:
        raise PretrainingConfigError("--noise-dir needs --augment (with the noise effect)")
    try:
        augment = None if data.augment is None else parse_augment(data.augment, data.noise_dir)
    except AugmentationError as error:
        raise PretrainingConfigError(str(error)) from None

    data_dir = pathlib.Path(data.data_dir).expanduser()
    train_splits = _split_names(data.train_split)
    manifests = {}
    for flag, split in [*(("--train-split", split) for split in train_splits), ("--val-split", data.val_split)]:
        try:
            manifests[split] = read_manifest(data_dir / split)
        except CorpusError as error:
            raise PretrainingConfigError(f"{flag} {split}: {error}") from None
    resolved = ResolvedPretraining(
        config=config,
        spec=spec,
        pred_steps=model.pred_steps or spec.default_pred_steps,
        dim_c=model.dim_c or spec.default_dim_c,
        ar=model.ar or spec.default_ar,
        ar_layers=model.ar_layers or spec.default_ar_layers,
        predictor=model.predictor or spec.default_predictor,
        predictor_dropout=spec.default_predictor_dropout
        if model.predictor_dropout is None
        else model.predictor_dropout,
        num_neg=loss.num_neg or spec.default_num_neg,
        negatives=negatives,
        windows_per_speaker=windows_per_speaker,
        augment=augment,
        train_splits=train_splits,
        train_dirs=[data_dir / split for split in train_splits],
        val_dir=data_dir / data.val_split,
        train_manifests=[manifests[split] for split in train_splits],
        val_manifest=manifests[data.val_split],
    )
    _check_windows(resolved)
    return resolved


def _split_names(train_split: str) -> list[str]:
    """The splits of ``--train-split``'s comma-separated list, each once.

    Raises:
        PretrainingConfigError: An empty name or a split listed twice.
    """
    names = [name.strip() for name in train_split.split(",")]
    if "" in names:
        raise PretrainingConfigError(f"--train-split {train_split!r}: empty split name in the comma-separated list")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise PretrainingConfigError(f"--train-split {train_split}: {', '.join(repeated)} listed more than once")
    return names


def _check_ranges(config: PretrainingConfig) -> None:
    """Each setting on its own: counts at least 1 (some 0), sizes at most their limit, rates positive."""
    data, model, loss, optimisation, runtime = (
        config.data,
        config.model,
        config.loss,
        config.optimisation,
        config.runtime,
    )
    for flag, value, lowest in (
        ("--epochs", optimisation.epochs, 1),
        ("--batch-size", optimisation.batch_size, 1),
        ("--window", data.window, 1),
        ("--t-skip", loss.t_skip, 0),
        ("--crops-per-utterance", data.crops_per_utterance, 1),
        ("--num-neg", loss.num_neg, 1),
        ("--pred-steps", model.pred_steps, 1),
        ("--dim-z", model.dim_z, 1),
        ("--dim-c", model.dim_c, 1),
        ("--ar-layers", model.ar_layers, 1),
        ("--windows-per-speaker", data.windows_per_speaker, 1),
        ("--steps-per-epoch", optimisation.steps_per_epoch, 1),
        ("--val-steps", optimisation.val_steps, 1),
        ("--backup-every-steps", runtime.backup_every_steps, 1),
    ):
        if value is not None and value < lowest:
            raise PretrainingConfigError(f"{flag} must be at least {lowest}, got {value}")
    if not 0 <= optimisation.seed < 2**32:
        raise PretrainingConfigError(f"--seed must be in [0, 2^32), got {optimisation.seed}")
    for flag, value, highest in (
        ("--t-skip", loss.t_skip, MAX_T_SKIP),
        ("--pred-steps", model.pred_steps, MAX_PRED_STEPS),
    ):
        if value is not None and value > highest:
            raise PretrainingConfigError(f"{flag} must be at most {highest}, got {value}")
    if not optimisation.lr > 0:
        raise PretrainingConfigError(f"--lr must be positive, got {optimisation.lr}")
    if not optimisation.lr_divisor > 0:
        raise PretrainingConfigError(f"--lr-divisor must be positive, got {optimisation.lr_divisor}")
    if runtime.time_budget is not None and not runtime.time_budget > 0:
        raise PretrainingConfigError(f"--time-budget must be a positive number of minutes, got {runtime.time_budget}")
    if model.predictor_dropout is not None and not 0 <= model.predictor_dropout < 1:
        raise PretrainingConfigError(f"--predictor-dropout must be in [0, 1), got {model.predictor_dropout}")
    milestones = list(optimisation.lr_milestones)
    if milestones != sorted(set(milestones)) or any(milestone < 1 for milestone in milestones):
        raise PretrainingConfigError(f"--lr-milestones must be increasing positive epochs, got {milestones}")


def _check_windows(resolved: ResolvedPretraining) -> None:
    """The window covers the model's span, and the training splits together and the validation split each
    hold a batch of windows (grouped by speaker, every split's speakers apart)."""
    config, spec = resolved.config, resolved.spec
    window, batch_size = config.data.window, config.optimisation.batch_size
    needed = resolved.minimum_window()
    if window < needed:
        raise PretrainingConfigError(
            f"--window {window} is too short: the {config.model.encoder} encoder's receptive field "
            f"({spec.receptive_field} samples) plus t_skip {config.loss.t_skip} and {resolved.pred_steps} prediction "
            f"steps of {spec.hop} samples need at least {needed}"
        )
    for split, manifest in zip(resolved.train_splits, resolved.train_manifests, strict=True):
        # A split drawn from that yields no window would stall the mixture for ever.
        if manifest.count_shorter_than(window) == manifest.num_records:
            raise PretrainingConfigError(f"--train-split {split}: no utterance has the {window} samples of a window")
    for flag, split, manifests in (
        ("--train-split", config.data.train_split, resolved.train_manifests),
        ("--val-split", config.data.val_split, [resolved.val_manifest]),
    ):
        usable = sum(manifest.num_records - manifest.count_shorter_than(window) for manifest in manifests)
        if usable < batch_size:
            raise PretrainingConfigError(
                f"{flag} {split}: {usable} utterances hold a {window}-sample window, "
                f"fewer than one batch of {batch_size}"
            )
        grouped = sum(manifest.grouped_windows(window, resolved.windows_per_speaker) for manifest in manifests)
        if grouped < batch_size:
            raise PretrainingConfigError(
                f"{flag} {split}: its speakers' utterances make {grouped // resolved.windows_per_speaker} groups of "
                f"{resolved.windows_per_speaker} windows of one speaker, fewer than one batch of {batch_size} "
                "(lower --windows-per-speaker or --batch-size)"
            )
