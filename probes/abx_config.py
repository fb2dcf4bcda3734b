"""Settings of an ABX run, checked before any data is read or model built."""

import dataclasses
import pathlib

from probes.probe_config import ProbeConfigError, check_output_dir

ABX_ROWS = ("cpc_c", "cpc_z", "random_c", "random_z", "logmel", "mfcc")
"""Every row ABX knows, in table order: c_t and z_t of the CPC model, the same network with
random weights, and the fixed front ends."""

ABX_MODEL_ROWS = frozenset({"cpc_c", "cpc_z", "random_c", "random_z"})
"""Rows that need the CPC model."""


@dataclasses.dataclass
class AbxConfig:
    """An ABX run (``python -m probes abx``).

    Attributes:
        tfrecords_dir: A converted split; every utterance of it with an alignment is scored
            (dev-clean in ZeroSpeech and Libri-light: speakers the model was not trained on).
        alignments_dir: Folder of ``converted_aligned_phones.txt`` and optionally ``phones.txt``
            (the split files are not read: ABX trains nothing).
        model: ``gar.keras`` written by ``train.py``: audio → c_t, with the encoder nested.
        rows: Rows of the table, from `ABX_ROWS`.
        max_items_per_group: At most this many items of one triphone category and speaker are
            kept, drawn with ``seed``, which bounds the triplets (Libri-light keeps 10).
        seed: Seed of the random rows' weights and of the item draw.
        output_dir: Results go to its ``abx/`` subfolder.
        show_progress: Show progress bars.
    """

    tfrecords_dir: pathlib.Path = pathlib.Path("~/Data/tfrecords/dev-clean")
    alignments_dir: pathlib.Path = pathlib.Path("~/Data/LibriSpeech/alignments")
    model: pathlib.Path = pathlib.Path("outputs/gar.keras")
    rows: tuple[str, ...] = ABX_ROWS
    max_items_per_group: int = 10
    seed: int = 0
    output_dir: pathlib.Path = pathlib.Path("outputs/probes")
    show_progress: bool = True

    @property
    def task_dir(self) -> pathlib.Path:
        """Where the results are written."""
        return pathlib.Path(self.output_dir).expanduser() / "abx"

    @property
    def needs_model(self) -> bool:
        return bool(ABX_MODEL_ROWS.intersection(self.rows))


def check_abx_config(config: AbxConfig) -> None:
    """Checks the settings without reading data.

    Raises:
        ProbeConfigError: An unknown or repeated row, a bound below 2, a negative seed, a missing
            model file when a row needs it, or an output folder that cannot be written.
    """
    if not config.rows:
        raise ProbeConfigError(f"--rows lists no row; choose from {','.join(ABX_ROWS)}")
    for index, row in enumerate(config.rows):
        if row not in ABX_ROWS:
            raise ProbeConfigError(f"--rows: unknown row {row!r}; choose from {','.join(ABX_ROWS)}")
        if row in config.rows[:index]:
            raise ProbeConfigError(f"--rows lists {row!r} twice")
    if config.max_items_per_group < 2:
        raise ProbeConfigError(
            f"--max-items-per-group must be at least 2 (A and X of one category), got {config.max_items_per_group}"
        )
    if config.seed < 0:
        raise ProbeConfigError(f"--seed must be non-negative, got {config.seed}")
    if config.needs_model and not pathlib.Path(config.model).expanduser().is_file():
        raise ProbeConfigError(
            f"--model {pathlib.Path(config.model).expanduser()}: no such model file "
            "(run train.py first, or keep only the logmel and mfcc rows)"
        )
    check_output_dir(config.output_dir, config.task_dir)
