"""Every setting of a keyword-spotting comparison, checked before anything is loaded."""

import dataclasses
from pathlib import Path

from kws_eval.kws_config_error import KwsConfigError
from kws_eval.kws_row import ROWS, KwsRow

DEFAULT_ROWS = ("logmel", "random", "random_ft", "cpc", "cpc_ft", "logmel_linear", "random_linear", "cpc_linear")
"""The reference table's rows in its order, then the linear rows of the same front ends."""

CLASSIFIERS = ("auto", "temporal", "image")
"""The classifier kinds: `temporal`, a 1D CNN over time reading the features as channels; `image`,
the reference's 2D CNN over frames × features; `auto` (the default recipe's), the image CNN for the
log-mel rows and the temporal one for the encoder rows (see `KwsConfig.classifier_for`)."""

LR_SCHEDULES = ("cosine", "constant")
"""`cosine`: Adam's rate follows a cosine from `lr` to 0 over the run; `constant`: stays at `lr`."""

RECIPES = {
    "default": {
        "classifier": "auto",
        "input_norm": True,
        "epochs": 20,
        "batch_size": 16,
        "lr": 1e-3,
        "lr_schedule": "cosine",
        "filters": (64, 128, 256),
        "time_shift_ms": 100.0,
        "crop_frames": 0,
        "min_steps": 300,
    },
    "reference": {
        "classifier": "image",
        "input_norm": False,
        "epochs": 25,
        "batch_size": 64,
        "lr": 1e-3,
        "lr_schedule": "constant",
        "filters": (32, 64, 128),
        "time_shift_ms": 0.0,
        "crop_frames": 0,
        "min_steps": 1,
    },
}
"""The training recipes `--recipe` names. `default` is this toolkit's (QUALITY.md measures each
of its changes); `reference` is the reference implementation's keyword-spotting recipe: its
image CNN, 25 epochs at a constant Adam rate of 1e-3, no augmentation, one pass over the clips per
epoch whatever their number (its batch size is not published; 64 is its pretraining batch)."""

SAMPLE_RATE = 16000
MAX_CROP_FRAMES = 16
"""The most frames `--crop-frames` may drop: a quarter of a clip at the 16 ms hop."""


@dataclasses.dataclass(frozen=True)
class KwsConfig:
    """One run of `python -m kws_eval`. Every row uses the same recipe and seeds.

    Attributes:
        speech_commands_dir: Speech Commands v0.01 or v0.02 folder.
        encoder: Encoder file (`outputs/genc.h5` from `train.py`), needed by
            the random and cpc rows.
        output_dir: Where results, plots and models are written.
        rows: Names of the rows to run, in table order (see `kws_row.ROWS`).
        recipe: Name of the recipe the training settings below came from
            (`RECIPES`), recorded with the results.
        classifier: "temporal" (features as channels of a 1D CNN over
            time), "image" (the reference's 2D CNN over frames × features)
            or "auto" (image for log-mel, temporal for the encoders).
        input_norm: Batch-normalise every feature at the classifier's input,
            so that log-mel energies and raw encoder outputs of any scale
            reach the first convolution alike.
        epochs: Training epochs of every CNN row.
        batch_size: Clips per batch.
        lr: Adam's learning rate (the initial one under a cosine schedule).
        lr_schedule: "cosine" (to 0 over the run) or "constant".
        filters: Filters of the classifier's three conv blocks.
        time_shift_ms: Time-shift augmentation of the CNN rows' training
            clips: each is shifted by a random amount up to this many
            milliseconds either way, filled with silence. 0 turns it off.
        crop_frames: Frames dropped from the start of every clip's features
            before the classifier (CNN or linear): a causal encoder's first
            frames see the zero padding before the clip. 0 keeps them all.
        min_steps: Optimizer steps a CNN row takes at least: a training set
            too small to fill them in `epochs` epochs (a label budget) is
            repeated within each epoch.
        seed: The first seed. Run `i` uses `seed + i` for the weights (the
            random rows' encoders included), the shuffling and time shifts,
            the label-budget draw and the noise segments.
        seeds: How many times everything is repeated, with seeds
            `seed .. seed + seeds - 1`.
        train_per_word: Label budgets: clips per word each row is trained
            on, None for every training clip.
        test_snr: SNRs in dB at which every trained row is also scored on
            the test clips mixed with `_background_noise_`.
        words: Words to classify, in label order; None for every word folder.
        workers: Threads reading clips; None takes the number of cores.
    """

    speech_commands_dir: Path
    encoder: Path = Path("outputs/genc.h5")
    output_dir: Path = Path("outputs/kws")
    rows: tuple[str, ...] = DEFAULT_ROWS
    recipe: str = "default"
    classifier: str = RECIPES["default"]["classifier"]
    input_norm: bool = RECIPES["default"]["input_norm"]
    epochs: int = RECIPES["default"]["epochs"]
    batch_size: int = RECIPES["default"]["batch_size"]
    lr: float = RECIPES["default"]["lr"]
    lr_schedule: str = RECIPES["default"]["lr_schedule"]
    filters: tuple[int, int, int] = RECIPES["default"]["filters"]
    time_shift_ms: float = RECIPES["default"]["time_shift_ms"]
    crop_frames: int = RECIPES["default"]["crop_frames"]
    min_steps: int = RECIPES["default"]["min_steps"]
    seed: int = 0
    seeds: int = 1
    train_per_word: tuple[int | None, ...] = (None,)
    test_snr: tuple[float, ...] = ()
    words: tuple[str, ...] | None = None
    workers: int | None = None

    def __post_init__(self):
        if not self.rows:
            raise KwsConfigError("--rows is empty")
        for name in self.rows:
            if name not in ROWS:
                raise KwsConfigError(f"--rows: unknown row {name!r}; the rows are {', '.join(ROWS)}")
            if self.rows.count(name) > 1:
                raise KwsConfigError(f"--rows: row {name!r} is given twice")
        for flag, value, choices in (
            ("--recipe", self.recipe, tuple(RECIPES)),
            ("--classifier", self.classifier, CLASSIFIERS),
            ("--lr-schedule", self.lr_schedule, LR_SCHEDULES),
        ):
            if value not in choices:
                raise KwsConfigError(f"{flag}: unknown {value!r}; choose from {', '.join(choices)}")
        for flag, value in (
            ("--epochs", self.epochs),
            ("--batch-size", self.batch_size),
            ("--min-steps", self.min_steps),
            ("--seeds", self.seeds),
        ):
            if value < 1:
                raise KwsConfigError(f"{flag} must be at least 1, got {value}")
        if not self.lr > 0:
            raise KwsConfigError(f"--lr must be positive, got {self.lr}")
        if len(self.filters) != 3 or any(count < 1 for count in self.filters):
            raise KwsConfigError(f"--filters must be 3 positive counts, got {list(self.filters)}")
        if not 0 <= self.time_shift_ms < 500:
            raise KwsConfigError(f"--time-shift-ms must be from 0 to below 500 (half a clip), got {self.time_shift_ms}")
        if not 0 <= self.crop_frames <= MAX_CROP_FRAMES:
            raise KwsConfigError(f"--crop-frames must be from 0 to {MAX_CROP_FRAMES}, got {self.crop_frames}")
        if self.seed < 0:
            raise KwsConfigError(f"--seed must be non-negative, got {self.seed}")
        if not self.train_per_word:
            raise KwsConfigError("--train-per-word is empty")
        for budget in self.train_per_word:
            if budget is not None and budget < 1:
                raise KwsConfigError(f"--train-per-word: clips per word must be at least 1, got {budget}")
        if len(set(self.train_per_word)) != len(self.train_per_word):
            raise KwsConfigError("--train-per-word: a budget is given twice")
        if len(set(self.test_snr)) != len(self.test_snr):
            raise KwsConfigError("--test-snr: an SNR is given twice")
        if any(not -60 <= snr <= 100 for snr in self.test_snr):
            raise KwsConfigError(f"--test-snr: SNRs must be from -60 to 100 dB, got {list(self.test_snr)}")
        if self.words is not None and not self.words:
            raise KwsConfigError("--words is empty")
        if self.workers is not None and self.workers < 1:
            raise KwsConfigError(f"--workers must be at least 1, got {self.workers}")
        if Path(self.output_dir).exists() and not Path(self.output_dir).is_dir():
            raise KwsConfigError(f"--output-dir {self.output_dir}: exists and is not a folder")

    @classmethod
    def from_recipe(cls, recipe: str = "default", **settings) -> "KwsConfig":
        """The settings of a named recipe, with any of them overridden by `settings` (None keeps the recipe's).

        Raises:
            KwsConfigError: An unknown recipe, or settings that fail the checks.
        """
        if recipe not in RECIPES:
            raise KwsConfigError(f"--recipe: unknown {recipe!r}; choose from {', '.join(RECIPES)}")
        chosen = {name: value for name, value in settings.items() if value is not None}
        return cls(recipe=recipe, **{**RECIPES[recipe], **chosen})

    @property
    def needs_encoder(self) -> bool:
        """Whether any selected row needs the encoder file."""
        return any(ROWS[name].needs_encoder for name in self.rows)

    def classifier_for(self, row: KwsRow) -> str:
        """The classifier kind a CNN row trains ("temporal" or "image").

        Under "auto", log-mel, whose feature axis is an ordered frequency axis
        with local patterns (formants, harmonics), gets the image CNN; a
        learned encoder, whose channels have no order, gets the temporal
        CNN. Each won on validation for its front end (QUALITY.md).
        """
        if self.classifier != "auto":
            return self.classifier
        return "image" if row.front_end == "logmel" else "temporal"

    @property
    def run_seeds(self) -> tuple[int, ...]:
        """The seed of every repetition."""
        return tuple(range(self.seed, self.seed + self.seeds))

    @property
    def max_shift_samples(self) -> int:
        """The time shift's bound in samples."""
        return round(self.time_shift_ms * SAMPLE_RATE / 1000)
