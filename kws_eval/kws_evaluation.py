"""A whole keyword-spotting comparison: every row, label budget and seed trained, measured, written and plotted.

Writes into the output folder, rewriting the tables and figures after every
run so that an interrupted comparison keeps what it finished:

* `results.json`: `rows` (each row with every training clip, accuracies as
  means over seeds with their spreads), `label_budgets`, `noise`, `runs`
  (every run with its curves and test confusion), `recipe` and `data`;
* `results.md`, `results.csv`: the tables, and every run;
* `accuracy.png`, `training_curves.png`, `confusion_<row>.png`, and with
  several budgets or SNRs `label_budgets.png` and `noise.png`: the figures;
* `<row>.keras`: the row trained on every clip with the first seed, raw
  one-second clips → logits.
"""

import dataclasses
import logging
from pathlib import Path

import numpy as np

from kws_eval.front_end import load_audio_encoder
from kws_eval.kws_config import KwsConfig
from kws_eval.kws_config_error import KwsConfigError
from kws_eval.kws_plots import plot_accuracy, plot_confusion, plot_label_budgets, plot_noise, plot_training_curves
from kws_eval.kws_results import budget_table, full_data, noise_table, results_table, write_results
from kws_eval.kws_row import ROWS
from kws_eval.row_result import RowResult
from kws_eval.row_summary import summarise
from kws_eval.row_training import train_row
from speechcommands.background_noise import load_background_noise
from speechcommands.label_budget import clips_per_word
from speechcommands.speech_commands_dataset import CLIP_SAMPLES, read_speech_commands
from speechcommands.speech_commands_index import scan_speech_commands

_LOG = logging.getLogger(__name__)


@dataclasses.dataclass
class KwsEvaluation:
    """A finished comparison.

    Attributes:
        output_dir: The folder holding every file.
        words: The classified words, in label order.
        test_clips: Clips of the test split.
        results: Every run, in the order they ran.
    """

    output_dir: Path
    words: tuple[str, ...]
    test_clips: int
    results: list[RowResult]

    def tables(self) -> list[str]:
        """The Markdown tables: every row on all clips, then by label budget and by SNR where measured."""
        extra = [budget_table(self.results), noise_table(self.results)]
        return [results_table(self.results, self.test_clips), *(table for table in extra if table)]

    def metrics(self) -> dict[str, float]:
        """Mean accuracies over seeds, `<row>/<split>` with every clip, `<row>/test_acc_<n>_per_word`
        under a label budget and `<row>/test_acc_snr<dB>` in noise."""
        metrics = {}
        for summary in summarise(self.results):
            if summary.train_per_word is None:
                metrics.update(
                    {f"{summary.row.name}/{key}": summary.mean(key) for key in ("train_acc", "val_acc", "test_acc")}
                )
                metrics.update(
                    {
                        f"{summary.row.name}/test_acc_snr{snr:g}": summary.noisy_mean(snr)
                        for snr in summary.runs[0].noisy_test_acc
                    }
                )
            else:
                metrics[f"{summary.row.name}/test_acc_{summary.train_per_word}_per_word"] = summary.mean("test_acc")
        return metrics


def run_kws_eval(config: KwsConfig, verbose: int | str = "auto", progress: bool = True) -> KwsEvaluation:
    """Loads the encoder, the clips and the noise, then trains and evaluates every run.

    Everything that can be wrong with the input is found before the first
    row trains: the encoder file is checked first, then every clip and noise
    recording is read, and every label budget is drawn once from the clip names.

    Args:
        config: The checked settings.
        verbose: Keras `fit` verbosity ("auto": a progress bar per run); 0
            also silences the run headings.
        progress: Show a progress bar while reading clips.

    Returns:
        The `KwsEvaluation`.

    Raises:
        ModelFileError: The encoder file is unusable.
        KwsConfigError: The output folder cannot be created.
        SpeechCommandsError: The Speech Commands folder, a clip or a noise
            recording is unusable, or a word has fewer training clips than a
            label budget.
    """
    encoder = load_audio_encoder(config.encoder, CLIP_SAMPLES) if config.needs_encoder else None
    index = scan_speech_commands(config.speech_commands_dir, config.words)
    for budget in config.train_per_word:
        if budget is not None:
            clips_per_word(np.asarray(index.labels["training"]), budget, config.seed, index.words)
    noise = load_background_noise(config.speech_commands_dir, CLIP_SAMPLES) if config.test_snr else None
    data = read_speech_commands(index, config.workers, progress)
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
    plans = [
        (seed, budget, name) for seed in config.run_seeds for budget in config.train_per_word for name in config.rows
    ]
    chance = 1 / len(data.words)
    # One noise segment per test clip and seed, the same for every row and SNR.
    segments = (
        {seed: noise.segments(len(data.labels["testing"]), CLIP_SAMPLES, seed) for seed in config.run_seeds}
        if noise
        else {}
    )
    results = []
    for number, (seed, budget, name) in enumerate(plans, start=1):
        row = ROWS[name]
        first_full = seed == config.seed and budget is None
        if verbose:
            clips = "every training clip" if budget is None else f"{budget} training clips per word"
            _LOG.info("\n[%d/%d] seed %d, %s: %s (%s)", number, len(plans), seed, clips, row.name, row.representation)
        result = train_row(
            row,
            data,
            encoder,
            config,
            seed,
            budget,
            segments.get(seed),
            output_dir / f"{row.name}.keras" if first_full else None,
            verbose,
        )
        results.append(result)
        write_results(output_dir, results, recipe, data_description)
        if first_full:
            plot_confusion(result, data.words, output_dir / f"confusion_{row.name}.png")
        _plot(results, chance, output_dir, config)
    return KwsEvaluation(output_dir, data.words, len(data.labels["testing"]), results)


def _plot(results: list[RowResult], chance: float, output_dir: Path, config: KwsConfig) -> None:
    summaries = summarise(results)
    full = full_data(summaries)
    if full:
        plot_accuracy(full, chance, output_dir / "accuracy.png")
    curves = [run for run in results if run.seed == config.seed and run.train_per_word is None and run.history]
    if curves:
        plot_training_curves(curves, output_dir / "training_curves.png")
    if len(config.train_per_word) > 1:
        plot_label_budgets(summaries, chance, output_dir / "label_budgets.png")
    if config.test_snr and full:
        plot_noise(full, chance, output_dir / "noise.png")


def _recipe(config: KwsConfig) -> dict:
    """The settings every row shares, as stored in results.json."""
    return {
        "recipe": config.recipe,
        "classifier": config.classifier,
        "input_norm": config.input_norm,
        "epochs": config.epochs,
        "batch_size": config.batch_size,
        "optimizer": "adam",
        "lr": config.lr,
        "lr_schedule": config.lr_schedule,
        "loss": "sparse softmax cross-entropy",
        "filters": list(config.filters),
        "time_shift_ms": config.time_shift_ms,
        "crop_frames": config.crop_frames,
        "min_steps": config.min_steps,
        "seeds": list(config.run_seeds),
        "train_per_word": ["all" if budget is None else budget for budget in config.train_per_word],
        "test_snr_db": list(config.test_snr),
        "linear_rows": "mean frame of each clean clip, standardised, multinomial logistic regression fitted by "
        "L-BFGS, L2 strength chosen on validation",
        "input": "one-second clips (zero-padded at the end or cropped), mean removed, divided by the peak",
        "encoder": str(config.encoder) if config.needs_encoder else None,
    }
