"""Every setting of a CPC pretraining run, checked before anything is built."""

import dataclasses
import pathlib

from librispeech.corpus_error import CorpusError
from librispeech.manifest import Manifest, read_manifest
from models.encoder_spec import EncoderSpec, EncoderSpecError, resolve_encoder_spec
from pretraining.cluster_config import DISTRIBUTE_MODES, DistributionError, check_cluster_config


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
        num_neg: Negatives per positive; chance accuracy is ``1 / (num_neg + 1)``.
        pred_steps: Future frames predicted, K; None takes the encoder's default (10 for
            ``seed``, 12 for ``paper``).
        dim_z: Encoder output size; None takes the encoder's (40 for ``seed``).
        dim_c: GRU size; None takes the encoder's default (40 for ``seed``, 256 for ``paper``).
        encoder: ``"seed"``, ``"paper"`` or the path of a ``conv_dims`` YAML file.
        negatives: ``"sequence"`` draws negatives from the same window (the reference);
            ``"batch"`` from the other windows of the batch at the same step (the paper).
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
    num_neg: int = 10
    pred_steps: int | None = None
    dim_z: int | None = None
    dim_c: int | None = None
    encoder: str = "seed"
    negatives: str = "sequence"
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
    restart: bool = False


@dataclasses.dataclass
class ResolvedPretraining:
    """A checked configuration with everything it implies.

    Attributes:
        config: The settings as given.
        spec: The encoder's layers and geometry.
        pred_steps: K after applying the encoder's default.
        dim_c: GRU size after applying the encoder's default.
        train_dir: The training split's TFRecord folder.
        val_dir: The validation split's TFRecord folder.
        train_manifest: What the training split holds.
        val_manifest: What the validation split holds.
    """

    config: PretrainingConfig
    spec: EncoderSpec
    pred_steps: int
    dim_c: int
    train_dir: pathlib.Path
    val_dir: pathlib.Path
    train_manifest: Manifest
    val_manifest: Manifest

    @property
    def frames_per_window(self) -> int:
        return self.spec.num_frames(self.config.window)

    def minimum_window(self) -> int:
        """Fewest samples covering the receptive field, the prediction span and one scored context step."""
        frames_needed = self.config.t_skip + 1 + self.pred_steps
        window = self.spec.receptive_field + self.pred_steps * self.spec.hop
        while self.spec.num_frames(window) < frames_needed:
            window += 1
        return window


def resolve(config: PretrainingConfig) -> ResolvedPretraining:
    """Checks the settings and the data, before any model or dataset is built.

    Raises:
        PretrainingConfigError: A setting out of range, settings that contradict each
            other, an unusable encoder file, or a split that is not converted.
    """
    for name, lowest in (
        ("epochs", 1), ("batch_size", 1), ("num_neg", 1), ("window", 1), ("t_skip", 0), ("crops_per_utterance", 1)
    ):
        value = getattr(config, name)
        if value < lowest:
            raise PretrainingConfigError(f"--{name.replace('_', '-')} must be at least {lowest}, got {value}")
    for name in ("pred_steps", "dim_z", "dim_c", "steps_per_epoch", "val_steps", "backup_every_steps"):
        value = getattr(config, name)
        if value is not None and value < 1:
            raise PretrainingConfigError(f"--{name.replace('_', '-')} must be at least 1, got {value}")
    if not config.lr > 0:
        raise PretrainingConfigError(f"--lr must be positive, got {config.lr}")
    if not config.lr_divisor > 0:
        raise PretrainingConfigError(f"--lr-divisor must be positive, got {config.lr_divisor}")
    if list(config.lr_milestones) != sorted(set(config.lr_milestones)) or any(m < 1 for m in config.lr_milestones):
        raise PretrainingConfigError(f"--lr-milestones must be increasing positive epochs, got {list(config.lr_milestones)}")
    if config.negatives not in ("sequence", "batch"):
        raise PretrainingConfigError(f"--negatives must be 'sequence' or 'batch', got {config.negatives!r}")
    if config.distribute not in DISTRIBUTE_MODES:
        raise PretrainingConfigError(f"--distribute must be one of {', '.join(DISTRIBUTE_MODES)}, got {config.distribute!r}")
    try:
        check_cluster_config(config.distribute)
    except DistributionError as error:
        raise PretrainingConfigError(str(error)) from None
    if config.negatives == "batch" and config.batch_size < 2:
        raise PretrainingConfigError("--negatives batch needs --batch-size of at least 2")
    try:
        spec = resolve_encoder_spec(config.encoder, config.dim_z)
    except EncoderSpecError as error:
        raise PretrainingConfigError(f"--encoder: {error}") from None
    pred_steps = config.pred_steps or spec.default_pred_steps
    dim_c = config.dim_c or spec.default_dim_c

    data_dir = pathlib.Path(config.data_dir).expanduser()
    manifests = {}
    for flag, split in (("--train-split", config.train_split), ("--val-split", config.val_split)):
        try:
            manifests[split] = read_manifest(data_dir / split)
        except CorpusError as error:
            raise PretrainingConfigError(f"{flag} {split}: {error}") from None
    resolved = ResolvedPretraining(
        config, spec, pred_steps, dim_c, data_dir / config.train_split, data_dir / config.val_split,
        manifests[config.train_split], manifests[config.val_split],
    )
    needed = resolved.minimum_window()
    if config.window < needed:
        raise PretrainingConfigError(
            f"--window {config.window} is too short: the {config.encoder} encoder's receptive field "
            f"({spec.receptive_field} samples) plus t_skip {config.t_skip} and {pred_steps} prediction steps "
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
    return resolved
