"""Settings of a probe run, checked before any data is read or model built."""

import dataclasses
import os
import pathlib

from cli.progress_display import keras_verbosity
from probes.probe_error import ProbeError

TASKS = ("phone", "speaker")
ROW_NAMES = ("cpc", "random", "mfcc", "logmel", "supervised")
"""Every row the probes know, in table order."""

MODEL_ROWS = frozenset({"cpc", "random", "supervised"})
"""Rows that need the CPC model (its weights, or only its architecture)."""

PAPER_TEST_ACCURACY = {
    "phone": {"cpc": 0.646, "random": 0.276, "mfcc": 0.397, "supervised": 0.746},
    "speaker": {"cpc": 0.974, "random": 0.0187, "mfcc": 0.176, "supervised": 0.985},
}
"""Table 1 of van den Oord et al. (2018): LibriSpeech train-clean-100, 41 phones, 251 speakers."""


class ProbeConfigError(ProbeError):
    """Flags that cannot work (out of range, contradictory, a missing model file)."""


@dataclasses.dataclass
class ProbeConfig:
    """A probe run.

    Attributes:
        task: ``"phone"`` (a label per 10 ms frame) or ``"speaker"`` (a label per window).
        tfrecords_dir: The converted split holding the utterances of both split files.
        alignments_dir: Folder of ``converted_aligned_phones.txt``, ``train_split.txt``,
            ``test_split.txt`` and optionally ``phones.txt``; the speaker probe reads only the
            two split files.
        model: ``gar.keras`` written by ``train.py``: audio → c_t, with the encoder nested.
        encoder: ``genc.h5`` to take z_t from instead of the encoder nested in ``model``; only
            with ``features="z"``.
        features: ``"c"`` probes the context c_t (the speaker probe takes a window's last one);
            ``"z"`` probes the encoder output z_t (mean-pooled over a speaker window).
        rows: Rows of the table, from `ROW_NAMES`.
        epochs: Passes over the training examples of the linear heads on frozen features, cheap
            once the features are cached.
        batch_size: Windows per batch: speaker heads and the supervised row's end-to-end training.
        frame_batch_size: Frames per batch of the phone probe's linear heads on frozen features.
        learning_rate: Adam's learning rate for the linear heads on frozen features; a convex
            problem on standardised features, which takes a larger rate than a deep network.
        supervised_epochs: Passes over the training windows of the supervised row, whose every
            step runs the whole network; None takes ``epochs``.
        supervised_learning_rate: Adam's learning rate for the supervised row.
        window: Samples per window (20480 = 1.28 s): the speaker probe's examples and the
            supervised phone row's training crops.
        seed: Seed of weights and shuffling; every row starts from it, so a row's result does
            not depend on which other rows run.
        output_dir: Results go to its ``phone/`` or ``speaker/`` subfolder.
        show_progress: Show progress bars.
    """

    task: str = "phone"
    tfrecords_dir: pathlib.Path = pathlib.Path("~/Data/tfrecords/train-clean-100")
    alignments_dir: pathlib.Path = pathlib.Path("~/Data/LibriSpeech/alignments")
    model: pathlib.Path = pathlib.Path("outputs/gar.keras")
    encoder: pathlib.Path | None = None
    features: str = "c"
    rows: tuple[str, ...] = ROW_NAMES
    epochs: int = 20
    batch_size: int = 64
    frame_batch_size: int = 1024
    learning_rate: float = 1e-2
    supervised_epochs: int | None = None
    supervised_learning_rate: float = 1e-3
    window: int = 20480
    seed: int = 0
    output_dir: pathlib.Path = pathlib.Path("outputs/probes")
    show_progress: bool = True

    @property
    def task_dir(self) -> pathlib.Path:
        """Where this task's results are written."""
        return pathlib.Path(self.output_dir).expanduser() / self.task

    @property
    def end_to_end_epochs(self) -> int:
        """Epochs of the supervised row."""
        return self.epochs if self.supervised_epochs is None else self.supervised_epochs

    @property
    def fit_verbose(self) -> int | str:
        """Keras ``fit`` verbosity: a progress bar (a line per epoch when redirected), or nothing."""
        return keras_verbosity() if self.show_progress else 0

    @property
    def needs_model(self) -> bool:
        return bool(MODEL_ROWS.intersection(self.rows))

    def model_path(self) -> pathlib.Path:
        """The file the features come from: ``encoder`` if given, else ``model``."""
        return pathlib.Path(self.encoder if self.encoder is not None else self.model).expanduser()


def check_config(config: ProbeConfig) -> None:
    """Checks the settings without reading data.

    Raises:
        ProbeConfigError: An unknown task, row or feature kind, a repeated row, a value out of
            range, ``encoder`` without ``features="z"``, a missing model file when a row needs
            it, or an output folder that cannot be written.
    """
    if config.task not in TASKS:
        raise ProbeConfigError(f"task must be one of {', '.join(TASKS)}, got {config.task!r}")
    if not config.rows:
        raise ProbeConfigError(f"--rows lists no row; choose from {','.join(ROW_NAMES)}")
    for row in config.rows:
        if row not in ROW_NAMES:
            raise ProbeConfigError(f"--rows: unknown row {row!r}; choose from {','.join(ROW_NAMES)}")
    repeated = next((row for index, row in enumerate(config.rows) if row in config.rows[:index]), None)
    if repeated is not None:
        raise ProbeConfigError(f"--rows lists {repeated!r} twice")
    if config.features not in ("c", "z"):
        raise ProbeConfigError(f"--features must be 'c' or 'z', got {config.features!r}")
    for name in ("epochs", "batch_size", "frame_batch_size", "window", "supervised_epochs"):
        value = getattr(config, name)
        if value is not None and value < 1:
            raise ProbeConfigError(f"--{name.replace('_', '-')} must be at least 1, got {value}")
    for name in ("learning_rate", "supervised_learning_rate"):
        value = getattr(config, name)
        if not value > 0:
            raise ProbeConfigError(f"--{name.replace('_', '-')} must be positive, got {value}")
    if config.encoder is not None and config.features != "z":
        raise ProbeConfigError("--encoder gives z_t only: add --features z (c_t comes from --model)")
    if config.needs_model:
        path = config.model_path()
        flag = "--encoder" if config.encoder is not None else "--model"
        if not path.is_file():
            hint = " (run train.py first, or leave the cpc, random and supervised rows out)"
            raise ProbeConfigError(f"{flag} {path}: no such model file{hint}")
    check_output_dir(config.output_dir, config.task_dir)


def check_output_dir(output_dir: pathlib.Path, task_dir: pathlib.Path) -> None:
    """Checks that ``task_dir`` can be created and written, before any work.

    The results are written last: a folder that cannot take them should stop the run first.

    Raises:
        ProbeConfigError: The nearest existing folder above ``task_dir`` is not a writable folder.
    """
    existing = task_dir
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK):
        raise ProbeConfigError(f"--output-dir {output_dir}: cannot write there ({existing} is not a writable folder)")
