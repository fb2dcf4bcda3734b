"""Every setting of a CPC pretraining run, checked before anything is built."""

import dataclasses
import pathlib

from augmentation.augmentation_config import AugmentConfig, parse_augment
from augmentation.augmentation_error import AugmentationError
from librispeech.corpus_error import CorpusError
from librispeech.manifest import Manifest, read_manifest
from models.encoder_spec import (
    AR_CELLS,
    NEGATIVE_MODES,
    PREDICTORS,
    EncoderSpec,
    EncoderSpecError,
    resolve_encoder_spec,
)
from pretraining.cluster_config import DISTRIBUTE_MODES, DistributionError, check_cluster_config

_WINDOWS_PER_SPEAKER = 4
"""Windows of one speaker per batch group by default: 3 other windows to draw negatives from,
and a batch of 64 still spans 16 speakers."""
MAX_T_SKIP = 10_000
"""Most unscored context steps: with hop 256 that is a window of 160 s."""
MAX_PRED_STEPS = 1_000
"""Most future steps predicted."""


class PretrainingConfigError(ValueError):
    """Settings that cannot work together, described in one line."""


@dataclasses.dataclass
class PretrainingConfig:
    """A CPC pretraining run. Defaults are the reference implementation's.

    Attributes:
        data_dir: TFRecord root holding one converted folder per split.
        train_split: Split trained on.
        val_split: Split validated on after every epoch.
        epochs: Training epochs.
        lr: Adam's initial learning rate.
        lr_milestones: Epochs (counted from 0) from which the learning rate is divided by
            ``lr_divisor`` once more: the reference divides by 3 from epochs 10, 15 and 20.
        lr_divisor: Division applied at every milestone.
        batch_size: Windows per batch, over all replicas.
        window: Samples per training window (20480 = 1.28 s).
        num_neg: Negatives per positive; chance accuracy is ``1 / (num_neg + 1)``. None
            takes the encoder's default (10; 128 for ``modified``).
        pred_steps: Future frames predicted, K; None takes the encoder's default (10 for
            ``seed``, 12 for ``paper``).
        dim_z: Encoder output size; None takes the encoder's (40 for ``seed``).
        dim_c: Context size; None takes the encoder's default (40 for ``seed``, 256 for ``paper``).
        encoder: A preset (``"seed"``, ``"paper"``, ``"modified"``, ``"modified-small"``) or
            the path of a ``conv_dims`` YAML file.
        ar: Recurrent cell of g_ar, ``"gru"`` or ``"lstm"``; None takes the encoder's default.
        ar_layers: Stacked recurrent layers; None takes the encoder's default.
        predictor: ``"linear"`` (one affine map per step, the reference) or
            ``"transformer"`` (one causal self-attention layer over c, then a head per
            step, modified CPC); None takes the encoder's default.
        predictor_dropout: Dropout on the contexts entering the predictor, in training; None
            takes the encoder's default.
        negatives: ``"sequence"`` draws negatives from the same window (the reference);
            ``"batch"`` from the other windows of the batch at the same step (the paper);
            ``"speaker"`` from the windows of the same speaker in the batch (modified CPC).
            None takes the encoder's default.
        windows_per_speaker: Windows of one speaker batched together for ``"speaker"``
            negatives; None is 4 for them and 1 otherwise.
        augment: Augmentation of the past (``--augment``): ``"default"`` or effects with
            optional probabilities, e.g. ``"pitch:0.3,noise"``; None trains on clean audio.
        noise_dir: Noise recordings added by the ``noise`` effect; None synthesizes
            coloured noise.
        t_skip: First context steps left unscored because the GRU has seen too little.
        targets_gradient: Let gradients flow into the targets (the paper) instead of
            stopping them (the reference).
        normalize: Remove each utterance's mean and divide by its peak.
        crops_per_utterance: Random windows cut from each training utterance read (see
            ``PipelineConfig``); 1 reads every utterance once per window, as the reference.
        steps_per_epoch: Batches per epoch; None makes an epoch as many windows as there are
            utterances long enough for one.
        val_steps: Validation batches per epoch; None uses the whole validation split.
        seed: Seed of weights, crops, shuffling and negative sampling.
        output_dir: Where models, logs, plots and metrics are written.
        distribute: ``"none"``, ``"mirrored"`` (all local GPUs) or ``"multiworker"``
            (machines listed in ``TF_CONFIG``; only the chief writes artefacts).
        mixed_precision: Compute in float16 with float32 weights (``mixed_float16``) on a
            GPU; scores and loss stay float32.
        backup_every_steps: Steps between mid-epoch backups; None backs up at epoch ends.
        time_budget: Wall-clock minutes this invocation may train; at the budget it stops
            (mid-epoch if need be), writes every artefact and keeps a backup to resume from.
            None trains all epochs.
        restart: Discard a backup in ``output_dir`` and start over.
    """

    data_dir: pathlib.Path = pathlib.Path("~/Data/tfrecords")
    train_split: str = "train-clean-100"
    val_split: str = "dev-clean"
    epochs: int = 25
    lr: float = 1e-3
    lr_milestones: tuple[int, ...] = (10, 15, 20)
    lr_divisor: float = 3.0
    batch_size: int = 64
    window: int = 20480
    num_neg: int | None = None
    pred_steps: int | None = None
    dim_z: int | None = None
    dim_c: int | None = None
    encoder: str = "seed"
    ar: str | None = None
    ar_layers: int | None = None
    predictor: str | None = None
    predictor_dropout: float | None = None
    negatives: str | None = None
    windows_per_speaker: int | None = None
    augment: str | None = None
    noise_dir: pathlib.Path | None = None
    t_skip: int = 5
    targets_gradient: bool = False
    normalize: bool = True
    crops_per_utterance: int = 4
    steps_per_epoch: int | None = None
    val_steps: int | None = None
    seed: int = 0
    output_dir: pathlib.Path = pathlib.Path("outputs")
    distribute: str = "none"
    mixed_precision: bool = False
    backup_every_steps: int | None = None
    time_budget: float | None = None
    restart: bool = False


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
        train_dir: The training split's TFRecord folder.
        val_dir: The validation split's TFRecord folder.
        train_manifest: What the training split holds.
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
    train_dir: pathlib.Path
    val_dir: pathlib.Path
    train_manifest: Manifest
    val_manifest: Manifest

    @property
    def chance_accuracy(self) -> float:
        """Accuracy of guessing among the positive and its negatives."""
        return 1 / (self.num_neg + 1)

    @property
    def frames_per_window(self) -> int:
        return self.spec.num_frames(self.config.window)

    def minimum_window(self) -> int:
        """Fewest samples covering the receptive field, the prediction span and one scored context step."""
        frames_needed = self.config.t_skip + 1 + self.pred_steps
        return max(self.spec.receptive_field + self.pred_steps * self.spec.hop,
                   self.spec.samples_for_frames(frames_needed))


def resolve(config: PretrainingConfig) -> ResolvedPretraining:
    """Checks the settings and the data, before any model or dataset is built.

    Raises:
        PretrainingConfigError: A setting out of range, settings that contradict each
            other, an unusable encoder file, or a split that is not converted.
    """
    for name, lowest in (
        ("epochs", 1), ("batch_size", 1), ("window", 1), ("t_skip", 0), ("crops_per_utterance", 1)
    ):
        value = getattr(config, name)
        if value < lowest:
            raise PretrainingConfigError(f"--{name.replace('_', '-')} must be at least {lowest}, got {value}")
    for name in (
        "num_neg", "pred_steps", "dim_z", "dim_c", "ar_layers", "windows_per_speaker", "steps_per_epoch", "val_steps",
        "backup_every_steps",
    ):
        value = getattr(config, name)
        if value is not None and value < 1:
            raise PretrainingConfigError(f"--{name.replace('_', '-')} must be at least 1, got {value}")
    if not 0 <= config.seed < 2**32:
        raise PretrainingConfigError(f"--seed must be in [0, 2^32), got {config.seed}")
    for name, highest in (("t_skip", MAX_T_SKIP), ("pred_steps", MAX_PRED_STEPS)):
        value = getattr(config, name)
        if value is not None and value > highest:
            raise PretrainingConfigError(f"--{name.replace('_', '-')} must be at most {highest}, got {value}")
    if not config.lr > 0:
        raise PretrainingConfigError(f"--lr must be positive, got {config.lr}")
    if not config.lr_divisor > 0:
        raise PretrainingConfigError(f"--lr-divisor must be positive, got {config.lr_divisor}")
    if config.time_budget is not None and not config.time_budget > 0:
        raise PretrainingConfigError(f"--time-budget must be a positive number of minutes, got {config.time_budget}")
    if config.predictor_dropout is not None and not 0 <= config.predictor_dropout < 1:
        raise PretrainingConfigError(f"--predictor-dropout must be in [0, 1), got {config.predictor_dropout}")
    if list(config.lr_milestones) != sorted(set(config.lr_milestones)) or any(m < 1 for m in config.lr_milestones):
        raise PretrainingConfigError(f"--lr-milestones must be increasing positive epochs, got {list(config.lr_milestones)}")
    for flag, value, allowed in (
        ("--negatives", config.negatives, NEGATIVE_MODES), ("--ar", config.ar, AR_CELLS),
        ("--predictor", config.predictor, PREDICTORS), ("--distribute", config.distribute, DISTRIBUTE_MODES),
    ):
        if value is not None and value not in allowed:
            raise PretrainingConfigError(f"{flag} must be one of {', '.join(allowed)}, got {value!r}")
    try:
        check_cluster_config(config.distribute)
    except DistributionError as error:
        raise PretrainingConfigError(str(error)) from None
    try:
        spec = resolve_encoder_spec(config.encoder, config.dim_z)
    except EncoderSpecError as error:
        raise PretrainingConfigError(f"--encoder: {error}") from None
    negatives = config.negatives or spec.default_negatives
    if negatives == "batch" and config.batch_size < 2:
        raise PretrainingConfigError("--negatives batch needs --batch-size of at least 2")
    if negatives != "speaker" and (config.windows_per_speaker or 1) > 1:
        raise PretrainingConfigError(
            f"--windows-per-speaker {config.windows_per_speaker} needs --negatives speaker (negatives are {negatives})"
        )
    windows_per_speaker = (config.windows_per_speaker or _WINDOWS_PER_SPEAKER) if negatives == "speaker" else 1
    if config.batch_size % windows_per_speaker:
        raise PretrainingConfigError(
            f"--batch-size {config.batch_size} must be a multiple of --windows-per-speaker {windows_per_speaker}"
        )
    if config.noise_dir is not None and config.augment is None:
        raise PretrainingConfigError("--noise-dir needs --augment (with the noise effect)")
    try:
        augment = None if config.augment is None else parse_augment(config.augment, config.noise_dir)
    except AugmentationError as error:
        raise PretrainingConfigError(str(error)) from None

    data_dir = pathlib.Path(config.data_dir).expanduser()
    manifests = {}
    for flag, split in (("--train-split", config.train_split), ("--val-split", config.val_split)):
        try:
            manifests[split] = read_manifest(data_dir / split)
        except CorpusError as error:
            raise PretrainingConfigError(f"{flag} {split}: {error}") from None
    resolved = ResolvedPretraining(
        config=config,
        spec=spec,
        pred_steps=config.pred_steps or spec.default_pred_steps,
        dim_c=config.dim_c or spec.default_dim_c,
        ar=config.ar or spec.default_ar,
        ar_layers=config.ar_layers or spec.default_ar_layers,
        predictor=config.predictor or spec.default_predictor,
        predictor_dropout=spec.default_predictor_dropout if config.predictor_dropout is None else config.predictor_dropout,
        num_neg=config.num_neg or spec.default_num_neg,
        negatives=negatives,
        windows_per_speaker=windows_per_speaker,
        augment=augment,
        train_dir=data_dir / config.train_split,
        val_dir=data_dir / config.val_split,
        train_manifest=manifests[config.train_split],
        val_manifest=manifests[config.val_split],
    )
    needed = resolved.minimum_window()
    if config.window < needed:
        raise PretrainingConfigError(
            f"--window {config.window} is too short: the {config.encoder} encoder's receptive field "
            f"({spec.receptive_field} samples) plus t_skip {config.t_skip} and {resolved.pred_steps} prediction steps "
            f"of {spec.hop} samples need at least {needed}"
        )
    for flag, split, manifest in (
        ("--train-split", config.train_split, resolved.train_manifest),
        ("--val-split", config.val_split, resolved.val_manifest),
    ):
        usable = manifest.num_records - manifest.count_shorter_than(config.window)
        if usable < config.batch_size:
            raise PretrainingConfigError(
                f"{flag} {split}: {usable} utterances hold a {config.window}-sample window, "
                f"fewer than one batch of {config.batch_size}"
            )
        grouped = manifest.grouped_windows(config.window, windows_per_speaker)
        if grouped < config.batch_size:
            raise PretrainingConfigError(
                f"{flag} {split}: its speakers' utterances make {grouped // windows_per_speaker} groups of "
                f"{windows_per_speaker} windows of one speaker, fewer than one batch of {config.batch_size} "
                "(lower --windows-per-speaker or --batch-size)"
            )
    return resolved
