"""A whole keyword-spotting comparison: every row trained, measured, written and plotted.

Writes into the output folder, rewriting the tables and figures after every
row so that an interrupted run keeps what it finished:

* `results.json`: one object per row under its name (accuracies as
  fractions, front end, sizes, the recipe, the data, curves, test confusions);
* `results.md`, `results.csv`: the table;
* `accuracy.png`, `training_curves.png`, `confusion_<row>.png`: the figures;
* `<row>.keras`: the trained model, raw one-second clips → logits.
"""

import dataclasses
from pathlib import Path

from kws_eval.audio_encoder_file import load_audio_encoder
from kws_eval.kws_config import KwsConfig
from kws_eval.kws_config_error import KwsConfigError
from kws_eval.kws_plots import plot_accuracy, plot_confusion, plot_training_curves
from kws_eval.kws_results import results_table, write_results
from kws_eval.kws_row import ROWS
from kws_eval.row_result import RowResult
from kws_eval.row_training import train_row
from speechcommands.speech_commands_dataset import CLIP_SAMPLES, load_speech_commands


@dataclasses.dataclass
class KwsEvaluation:
    """A finished comparison.

    Attributes:
        output_dir: The folder holding every file.
        words: The classified words, in label order.
        results: One result per row, in table order.
    """

    output_dir: Path
    words: tuple[str, ...]
    results: list[RowResult]

    def table(self) -> str:
        """The Markdown table of the rows."""
        return results_table(self.results)


def run_kws_eval(config: KwsConfig, verbose: int | str = "auto", progress: bool = True) -> KwsEvaluation:
    """Loads the encoder and the clips, then trains and evaluates every row.

    Everything that can be wrong with the input is found before the first
    row trains: the encoder file is checked first, then every clip is read.

    Args:
        config: The checked settings.
        verbose: Keras `fit` verbosity ("auto": a progress bar per row); 0
            also silences the row headings.
        progress: Show a progress bar while reading clips.

    Returns:
        The `KwsEvaluation`.

    Raises:
        KwsConfigError: The encoder file is unusable, or the output folder
            cannot be created.
        SpeechCommandsError: The Speech Commands folder or a clip is unusable.
    """
    encoder = load_audio_encoder(config.encoder, CLIP_SAMPLES) if config.needs_encoder else None
    data = load_speech_commands(config.speech_commands_dir, config.words, config.workers, progress)
    output_dir = Path(config.output_dir)
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise KwsConfigError(f"--output-dir {output_dir}: cannot be created ({error.strerror or error})") from None
    recipe = _recipe(config)
    data_description = {
        "speech_commands_dir": str(config.speech_commands_dir),
        "words": list(data.words),
        "split_source": data.index.split_source,
        "clips": data.index.counts(),
        "clip_samples": CLIP_SAMPLES,
    }
    results = []
    for number, name in enumerate(config.rows, start=1):
        row = ROWS[name]
        if verbose:
            print(f"\n[{number}/{len(config.rows)}] {row.name}: {row.representation}", flush=True)
        result = train_row(row, data, encoder, config, output_dir / f"{row.name}.keras", verbose)
        results.append(result)
        write_results(output_dir, results, recipe, data_description)
        plot_confusion(result, data.words, output_dir / f"confusion_{row.name}.png")
        plot_accuracy(results, 1 / len(data.words), output_dir / "accuracy.png")
        plot_training_curves(results, output_dir / "training_curves.png")
    return KwsEvaluation(output_dir, data.words, results)


def _recipe(config: KwsConfig) -> dict:
    """The settings every row shares, as stored in results.json."""
    return {
        "epochs": config.epochs,
        "batch_size": config.batch_size,
        "optimizer": "adam",
        "lr": config.lr,
        "lr_schedule": "cosine decay to 0 over all steps",
        "loss": "sparse softmax cross-entropy",
        "filters": list(config.filters),
        "seed": config.seed,
        "input": "one-second clips (zero-padded at the end or cropped), mean removed, divided by the peak",
        "encoder": str(config.encoder) if config.needs_encoder else None,
    }
