"""What a pretraining run hands back."""

import dataclasses
import pathlib


@dataclasses.dataclass
class PretrainingResult:
    """What a finished run left behind.

    Attributes:
        output_dir: The folder holding every artefact.
        metrics: The content of ``metrics.json``; empty on workers other than the chief.
        history: Per-epoch values of every logged metric; empty on workers other than the chief.
    """

    output_dir: pathlib.Path
    metrics: dict
    history: dict[str, list[float]]
