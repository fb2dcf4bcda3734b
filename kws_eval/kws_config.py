"""Every setting of a keyword-spotting comparison, checked before anything is loaded."""

import dataclasses
from pathlib import Path

from kws_eval.kws_config_error import KwsConfigError
from kws_eval.kws_row import ROWS

DEFAULT_ROWS = ("logmel", "random", "random_ft", "cpc", "cpc_ft")
"""The rows of the reference table, in its order."""


@dataclasses.dataclass(frozen=True)
class KwsConfig:
    """One run of `python -m kws_eval`. Every row uses the same recipe and seed.

    Attributes:
        speech_commands_dir: Speech Commands v0.01 or v0.02 folder.
        encoder: Encoder file (`outputs/genc.h5` from `train.py`), needed by
            the random and cpc rows.
        output_dir: Where results, plots and models are written.
        rows: Names of the rows to run, in table order (see `kws_row.ROWS`).
        epochs: Training epochs of every row.
        batch_size: Clips per batch.
        lr: Adam's initial learning rate; a cosine schedule takes it to 0 over
            the run, so the last epochs fine-tune.
        filters: Filters of the classifier's three conv blocks, doubled at
            every pooling as the image halves.
        seed: Seed of weights (the random rows' encoders included) and of the
            shuffling; the same for every row.
        words: Words to classify, in label order; None for every word folder.
        workers: Threads reading clips; None takes the number of cores.
    """

    speech_commands_dir: Path
    encoder: Path = Path("outputs/genc.h5")
    output_dir: Path = Path("outputs/kws")
    rows: tuple[str, ...] = DEFAULT_ROWS
    epochs: int = 20
    batch_size: int = 64
    lr: float = 1e-3
    filters: tuple[int, int, int] = (32, 64, 128)
    seed: int = 0
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
        for flag, value in (("--epochs", self.epochs), ("--batch-size", self.batch_size)):
            if value < 1:
                raise KwsConfigError(f"{flag} must be at least 1, got {value}")
        if not self.lr > 0:
            raise KwsConfigError(f"--lr must be positive, got {self.lr}")
        if len(self.filters) != 3 or any(count < 1 for count in self.filters):
            raise KwsConfigError(f"--filters must be 3 positive counts, got {list(self.filters)}")
        if self.seed < 0:
            raise KwsConfigError(f"--seed must be non-negative, got {self.seed}")
        if self.words is not None and not self.words:
            raise KwsConfigError("--words is empty")
        if self.workers is not None and self.workers < 1:
            raise KwsConfigError(f"--workers must be at least 1, got {self.workers}")
        if Path(self.output_dir).exists() and not Path(self.output_dir).is_dir():
            raise KwsConfigError(f"--output-dir {self.output_dir}: exists and is not a folder")

    @property
    def needs_encoder(self) -> bool:
        """Whether any selected row needs the encoder file."""
        return any(ROWS[name].needs_encoder for name in self.rows)
