"""Quality per CPU-minute: CPC recipes pretrained for the same wall-clock budget, then evaluated.

On the demo corpora, every recipe is pretrained with `train.py --time-budget MINUTES` (batch 32,
constant learning rate, 100 steps per epoch so that validation, and with it the
time-to-accuracy curve, comes often), then evaluated with the same commands:
- keyword spotting, frozen CPC with 1 and 3 training clips per word (3 seeds); CPC +
  fine-tuning with every clip, the costliest evaluation, for the best recipe only;
- the linear phone and speaker probes (CPC c_t and the same network at random init);
- ABX across and within speakers (c_t and z_t).
Log-mel and MFCC rows are measured once, in the same run.

The width of `modified-small` is chosen first, by time-to-accuracy: the seed geometry with
--widths channels each is pretrained for the budget, and the width with the best mean
validation accuracy over the K steps at the budget's end becomes the `modified-small` of the
comparison, with and without `--augment`. The comparison: `seed`, that `modified-small`
(± augmentation) and `modified`. The best recipe by validation (KWS, frozen CPC, mean of 1 and 3
clips per word) is then pretrained for --final-minutes and evaluated again, KWS with 3 seeds.

    python -m bench.budget                          # about 2 h 30 min on 2 cores
    python -m bench.budget --final-minutes 0        # the equal-budget comparison only
    python -m bench.budget --resume                 # continue a stopped run in the same folder

It writes the `budget` section of QUALITY.md and its figure into docs/quality/.
"""

import cli.tensorflow_environment

import argparse
import csv
import datetime
import os
import pathlib
import shutil
import statistics
import sys

import yaml
from matplotlib.figure import Figure

from bench.quality import percent, read_json, run_stages, verdict
from bench.quality_file import update_section
from bench.timing import machine

REPO = pathlib.Path(__file__).resolve().parents[1]
SMALL_PRESET = REPO / "models" / "presets" / "modified-small.yaml"
FEW_LABELS = (1, 3)
FIGURE = "budget_time_to_accuracy.png"
BATCH_SIZE = 32


def width_preset(width: int, folder: pathlib.Path) -> pathlib.Path:
    """`modified-small` with every convolution, z and c `width` wide, as a YAML file in `folder`."""
    preset = yaml.safe_load(SMALL_PRESET.read_text())
    rows = preset["conv_dims"][:-1]
    preset["conv_dims"] = [[1 if index == 0 else width, width, *row[2:]] for index, row in enumerate(rows)] + [width]
    preset["dim_c"] = width
    path = folder / f"modified-small-{width}.yaml"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(preset, sort_keys=False))
    return path


def budget_flags(
    tfrecords: pathlib.Path, output: pathlib.Path, minutes: float, steps_per_epoch: int = 100
) -> list[str]:
    """`train.py`'s flags of a budgeted run: batch `BATCH_SIZE`, a constant learning rate, `minutes` of wall time.

    The epochs never run out, so the budget ends the run; an epoch of `steps_per_epoch` steps
    is how often validation, and with it a point of the time-to-accuracy curve, comes.
    """
    return [
        "--data-dir",
        str(tfrecords),
        "--output-dir",
        str(output),
        "--batch-size",
        str(BATCH_SIZE),
        "--epochs",
        "100000",
        "--steps-per-epoch",
        str(steps_per_epoch),
        "--lr-milestones",
        "",
        "--time-budget",
        f"{minutes:g}",
    ]


class Plan:
    """The folders and commands of one run.

    Args:
        work: The run's folder.
        probe_epochs: Passes of the probes' linear heads.
        few_label_seeds: Seeds of the frozen few-label KWS rows of each recipe.
    """

    def __init__(self, work: pathlib.Path, probe_epochs: int = 10, few_label_seeds: int = 3):
        self.work = work
        self.few_label_seeds = few_label_seeds
        self.python = sys.executable
        data = work / "data"
        self.librispeech, self.tfrecords, self.speech_commands = (
            data / "LibriSpeech",
            data / "tfrecords",
            data / "speech_commands",
        )
        self.probe_epochs = probe_epochs

    def data(self) -> list[tuple[str, list[str]]]:
        """Synthesize and convert the demo corpora."""
        speech_commands = [self.python, "-m", "demo", "speechcommands", str(self.speech_commands)]
        return [*self.librispeech_data(), ("demo Speech Commands", speech_commands)]

    def librispeech_data(self) -> list[tuple[str, list[str]]]:
        """Synthesize the demo LibriSpeech and convert its training and validation splits into `tfrecords`."""
        python = self.python
        return [
            ("demo LibriSpeech", [python, "-m", "demo", "librispeech", str(self.librispeech)]),
            (
                "convert train-clean-100",
                [python, "tfrecords.py", "train-clean-100", "--librispeech-dir", str(self.librispeech)],
            ),
            ("convert dev-clean", [python, "tfrecords.py", "dev-clean", "--librispeech-dir", str(self.librispeech)]),
        ]

    def pretrain(self, name: str, flags: list[str], minutes: float) -> tuple[str, list[str]]:
        """`train.py` for `minutes` of wall time into `<work>/<name>/pretraining`."""
        return (
            f"pretrain {name}",
            [self.python, "train.py", *budget_flags(self.tfrecords, self.pretrained(name), minutes), *flags],
        )

    def pretrained(self, name: str) -> pathlib.Path:
        return self.work / name / "pretraining"

    def _kws(self, output: pathlib.Path, rows: str, *flags: str, encoder: pathlib.Path | None = None) -> list[str]:
        argv = [
            self.python,
            "-m",
            "kws_eval",
            "--speech-commands-dir",
            str(self.speech_commands),
            "--rows",
            rows,
            "--output-dir",
            str(output),
            *flags,
        ]
        return argv + ([] if encoder is None else ["--encoder", str(encoder)])

    def _probe(self, task: str, model: pathlib.Path, rows: str, output: pathlib.Path) -> list[str]:
        split = self.tfrecords / ("dev-clean" if task == "abx" else "train-clean-100")
        argv = [
            self.python,
            "-m",
            "probes",
            task,
            "--tfrecords",
            str(split),
            "--alignments",
            str(self.librispeech / "alignments"),
            "--model",
            str(model),
            "--rows",
            rows,
            "--output-dir",
            str(output),
            "--quiet",
        ]
        return argv if task == "abx" else argv + ["--epochs", str(self.probe_epochs), "--batch-size", "8"]

    def fine_tune(self, name: str, seeds: int = 1) -> tuple[str, list[str]]:
        """KWS with the encoder trained along, every clip: the costliest evaluation, run for the best recipes."""
        encoder = self.pretrained(name) / "genc.h5"
        return (
            f"KWS fine-tuned, {name}",
            self._kws(self.work / name / "kws_ft", "cpc_ft", "--seeds", str(seeds), encoder=encoder),
        )

    def evaluate(self, name: str, few_label_seeds: int | None = None) -> list[tuple[str, list[str]]]:
        """KWS with few labels (frozen; by default `few_label_seeds` seeds), phone and speaker probes and ABX."""
        folder, pretrained = self.work / name, self.pretrained(name)
        encoder, model = pretrained / "genc.h5", pretrained / "gar.keras"
        budgets = ",".join(map(str, FEW_LABELS))
        return [
            (
                f"KWS few labels, {name}",
                self._kws(
                    folder / "kws_few",
                    "cpc",
                    "--train-per-word",
                    budgets,
                    "--seeds",
                    str(few_label_seeds or self.few_label_seeds),
                    encoder=encoder,
                ),
            ),
            (f"phone probe, {name}", self._probe("phone", model, "cpc,random", folder / "probes")),
            (f"speaker probe, {name}", self._probe("speaker", model, "cpc,random", folder / "probes")),
            (f"ABX, {name}", self._probe("abx", model, "cpc_c,cpc_z", folder / "probes")),
        ]

    def baselines(self, model_of: str) -> list[tuple[str, list[str]]]:
        """Log-mel (KWS, probes, ABX) and MFCC (probes, ABX), which no pretraining changes."""
        folder, model = self.work / "baselines", self.pretrained(model_of) / "gar.keras"
        budgets = ",".join(map(str, FEW_LABELS)) + ",all"
        return [
            ("KWS, log-mel", self._kws(folder / "kws", "logmel", "--train-per-word", budgets, "--seeds", "3")),
            ("phone probe, spectral", self._probe("phone", model, "logmel,mfcc", folder / "probes")),
            ("speaker probe, spectral", self._probe("speaker", model, "logmel,mfcc", folder / "probes")),
            ("ABX, spectral", self._probe("abx", model, "logmel,mfcc", folder / "probes")),
        ]


def epoch_curve(pretrained: pathlib.Path) -> tuple[list[float], list[float]]:
    """Minutes at each epoch end and the validation accuracy then, mean over the K steps."""
    with open(pretrained / "training_log.csv", newline="") as log:
        rows = list(csv.DictReader(log))
    minutes = [float(row["elapsed_seconds"]) / 60 for row in rows]
    steps = sorted(
        (key for key in rows[0] if key.startswith("val_accuracy_")), key=lambda key: int(key.rsplit("_", 1)[1])
    )
    return minutes, [statistics.fmean(float(row[key]) for key in steps) for row in rows]


def final_accuracy(pretrained: pathlib.Path) -> float:
    """Validation accuracy at the run's end, mean over the K steps."""
    return statistics.fmean(read_json(pretrained / "metrics.json")["val_accuracy_per_step"].values())


def few_label_validation(work: pathlib.Path, name: str) -> float:
    """Mean validation accuracy of frozen CPC at 1 and 3 clips per word: what recipes are chosen by."""
    budgets = read_json(work / name / "kws_few" / "results.json")["label_budgets"]["cpc"]
    return statistics.fmean(budgets[str(clips)]["val_acc"] for clips in FEW_LABELS)


def plot_time_to_accuracy(curves: dict[str, tuple[list[float], list[float]]], path: pathlib.Path) -> None:
    """Validation accuracy (mean over K) against pretraining minutes, one line per run."""
    figure = Figure(figsize=(7, 4.5))
    axes = figure.subplots()
    for name, (minutes, accuracy) in curves.items():
        axes.plot(minutes, [100 * value for value in accuracy], marker=".", label=name)
    axes.set_xlabel("pretraining wall time (minutes, 2 cores)")
    axes.set_ylabel("CPC validation accuracy, mean over K (%)")
    axes.set_title("Time to accuracy")
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=120)


def recipe_row(work: pathlib.Path, name: str, label: str) -> str:
    """One line of the comparison table."""
    pretrained, folder = work / name / "pretraining", work / name
    metrics = read_json(pretrained / "metrics.json")
    few = read_json(folder / "kws_few" / "results.json")["label_budgets"]["cpc"]
    tuned_path = folder / "kws_ft" / "results.json"
    tuned = read_json(tuned_path)["rows"]["cpc_ft"] if tuned_path.is_file() else None
    phone = read_json(folder / "probes" / "phone" / "results.json")["rows"]
    speaker = read_json(folder / "probes" / "speaker" / "results.json")["rows"]
    abx = read_json(folder / "probes" / "abx" / "results.json")["rows"]
    cells = [
        label,
        f"{metrics['windows']}",
        f"{percent(final_accuracy(pretrained))} ({percent(metrics['chance_accuracy'])})",
        *(f"{percent(few[str(clips)]['val_acc'])} / {percent(few[str(clips)]['test_acc'])}" for clips in FEW_LABELS),
        "–" if tuned is None else f"{percent(tuned['val_acc'])} / {percent(tuned['test_acc'])}",
        f"{percent(phone['cpc']['test_acc'])} ({percent(phone['random']['test_acc'])})",
        f"{percent(speaker['cpc']['test_acc'])} ({percent(speaker['random']['test_acc'])})",
        f"{percent(abx['cpc_c']['across_error'])} / {percent(abx['cpc_z']['across_error'])}",
    ]
    return "| " + " | ".join(cells) + " |"


def baseline_rows(work: pathlib.Path) -> list[str]:
    """The log-mel and MFCC lines of the comparison table."""
    folder = work / "baselines"
    kws = read_json(folder / "kws" / "results.json")
    phone = read_json(folder / "probes" / "phone" / "results.json")["rows"]
    speaker = read_json(folder / "probes" / "speaker" / "results.json")["rows"]
    abx = read_json(folder / "probes" / "abx" / "results.json")["rows"]
    budgets, full = kws["label_budgets"]["logmel"], kws["rows"]["logmel"]
    logmel = [
        "log-mel",
        "–",
        "–",
        *(
            f"{percent(budgets[str(clips)]['val_acc'])} / {percent(budgets[str(clips)]['test_acc'])}"
            for clips in FEW_LABELS
        ),
        f"{percent(full['val_acc'])} / {percent(full['test_acc'])} (image CNN, 3 seeds)",
        percent(phone["logmel"]["test_acc"]),
        percent(speaker["logmel"]["test_acc"]),
        percent(abx["logmel"]["across_error"]),
    ]
    mfcc = [
        "MFCC",
        "–",
        "–",
        "–",
        "–",
        "–",
        percent(phone["mfcc"]["test_acc"]),
        percent(speaker["mfcc"]["test_acc"]),
        percent(abx["mfcc"]["across_error"]),
    ]
    return ["| " + " | ".join(cells) + " |" for cells in (logmel, mfcc)]


def targets(work: pathlib.Path, name: str, minutes: float, seeds: int) -> list[str]:
    """The issue's targets for one recipe, met or missed, as table lines."""
    folder = work / name
    few = read_json(folder / "kws_few" / "results.json")["label_budgets"]["cpc"]
    tuned = read_json(folder / "kws_ft" / "results.json")["rows"]["cpc_ft"]
    phone = read_json(folder / "probes" / "phone" / "results.json")["rows"]
    speaker = read_json(folder / "probes" / "speaker" / "results.json")["rows"]
    abx = read_json(folder / "probes" / "abx" / "results.json")["rows"]
    base = work / "baselines"
    logmel_kws = read_json(base / "kws" / "results.json")
    spectral_phone = read_json(base / "probes" / "phone" / "results.json")["rows"]
    spectral_abx = read_json(base / "probes" / "abx" / "results.json")["rows"]
    lines = []
    for clips in FEW_LABELS:
        ours, theirs = few[str(clips)]["test_acc"], logmel_kws["label_budgets"]["logmel"][str(clips)]["test_acc"]
        lines.append(
            f"| KWS, frozen CPC ≥ log-mel at {clips} clip{'s' if clips > 1 else ''} per word (test, mean of "
            f"{seeds} seed{'s' if seeds > 1 else ''}) | {percent(ours)} against {percent(theirs)}, "
            f"{100 * (ours - theirs):+.1f} | "
            f"{verdict(ours >= theirs)} |"
        )
    ours, theirs = tuned["test_acc"], logmel_kws["rows"]["logmel"]["test_acc"]
    lines.append(
        f"| KWS, CPC + fine-tuning ≥ log-mel with every clip (test) | {percent(ours)} against "
        f"{percent(theirs)}, {100 * (ours - theirs):+.1f} | {verdict(ours >= theirs)} |"
    )
    ours, theirs = phone["cpc"]["test_acc"], spectral_phone["logmel"]["test_acc"]
    lines.append(
        f"| phone probe, c_t ≥ log-mel | {percent(ours)} against {percent(theirs)} (random init "
        f"{percent(phone['random']['test_acc'])}) | {verdict(ours >= theirs)} |"
    )
    ours = abx["cpc_c"]["across_error"]
    best_spectral = min(spectral_abx[row]["across_error"] for row in ("logmel", "mfcc"))
    lines.append(
        f"| ABX across speakers, c_t below log-mel and MFCC | {percent(ours)} against "
        f"{percent(spectral_abx['logmel']['across_error'])} and {percent(spectral_abx['mfcc']['across_error'])}"
        f" | {verdict(ours < best_spectral)} |"
    )
    ours = speaker["cpc"]["test_acc"]
    lines.append(f"| speaker probe ≥ 95 % | {percent(ours)} | {verdict(ours >= 0.95)} |")
    return [
        f"Targets of the issue for `{name}` at {minutes:g} minutes:",
        "",
        "| target | figure | verdict |",
        "|---|---|---|",
        *lines,
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.budget", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--work-dir",
        type=pathlib.Path,
        default=REPO / "outputs" / "budget",
        help="where corpora, models and results go (default: %(default)s)",
    )
    parser.add_argument(
        "--minutes", type=float, default=10, help="pretraining budget of every recipe (default: %(default)s)"
    )
    parser.add_argument(
        "--widths", default="64,128,256", help="channels of the modified-small candidates (default: %(default)s)"
    )
    parser.add_argument(
        "--final-minutes",
        type=float,
        default=60,
        help="budget of the best recipe's second run; 0 skips it (default: %(default)s)",
    )
    parser.add_argument(
        "--few-label-seeds",
        type=int,
        default=3,
        help="seeds of each recipe's frozen KWS rows at 1 and 3 clips per word (default: %(default)s)",
    )
    parser.add_argument("--resume", action="store_true", help="skip the stages a stopped run in --work-dir finished")
    parser.add_argument(
        "--quality-file",
        type=pathlib.Path,
        default=REPO / "QUALITY.md",
        help="the file whose budget section is rewritten (default: %(default)s)",
    )
    parser.add_argument(
        "--figures-dir",
        type=pathlib.Path,
        default=REPO / "docs" / "quality",
        help="where the figure is copied (default: %(default)s)",
    )
    arguments = parser.parse_args(argv)
    work = arguments.work_dir.resolve()
    marker = work / ".budget-run"
    if work.exists() and not marker.is_file():
        parser.exit(2, f"error: --work-dir {work} exists and was not made by bench.budget; give a new folder\n")
    if work.exists() and not arguments.resume:
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    marker.write_text("made by python -m bench.budget\n")
    date = datetime.date.today().isoformat()
    widths = [int(width) for width in arguments.widths.split(",")]
    plan, logs, minutes = Plan(work, few_label_seeds=arguments.few_label_seeds), work / "logs", arguments.minutes

    candidates = {
        f"modified-small-{width}": ["--encoder", str(width_preset(width, work / "presets"))] for width in widths
    }
    sweep = [plan.pretrain("seed", ["--encoder", "seed"], minutes)]
    sweep += [plan.pretrain(name, flags, minutes) for name, flags in candidates.items()]
    seconds = run_stages(plan.data() + sweep + plan.baselines("seed"), logs, arguments.resume)
    chosen = max(candidates, key=lambda name: final_accuracy(plan.pretrained(name)))
    augmented = f"{chosen}+augment"
    recipes = {
        "seed": ["--encoder", "seed"],
        chosen: candidates[chosen],
        augmented: [*candidates[chosen], "--augment"],
        "modified": ["--encoder", "modified"],
    }
    stages = [plan.pretrain(name, recipes[name], minutes) for name in (augmented, "modified")]
    for name in recipes:
        stages += plan.evaluate(name)
    seconds |= run_stages(stages, logs, arguments.resume)
    best = max(recipes, key=lambda name: few_label_validation(work, name))
    seconds |= run_stages([plan.fine_tune(best)], logs, arguments.resume)
    final = f"{best}-{arguments.final_minutes:g}min"
    if arguments.final_minutes:
        seconds |= run_stages(
            [
                plan.pretrain(final, recipes[best], arguments.final_minutes),
                *plan.evaluate(final, few_label_seeds=3),
                plan.fine_tune(final, seeds=3),
            ],
            logs,
            arguments.resume,
        )

    curves = {name: epoch_curve(plan.pretrained(name)) for name in ["seed", *candidates, augmented, "modified"]}
    if arguments.final_minutes:
        curves[final] = epoch_curve(plan.pretrained(final))
    arguments.figures_dir.mkdir(parents=True, exist_ok=True)
    plot_time_to_accuracy(curves, arguments.figures_dir / FIGURE)
    figures = pathlib.Path(os.path.relpath(arguments.figures_dir.resolve(), arguments.quality_file.resolve().parent))
    # The stages' own times: a resumed run's clock would miss the stages done before.
    total = sum(seconds.values())
    command = "python -m bench.budget" + "".join(
        f" --{flag.replace('_', '-')} {getattr(arguments, flag)}"
        for flag, default in (("minutes", 10), ("widths", "64,128,256"), ("final_minutes", 60), ("few_label_seeds", 3))
        if getattr(arguments, flag) != default
    )
    sweep_lines = [
        "| candidate | windows in the budget | CPC validation accuracy, mean over K (chance) |",
        "|---|---:|---:|",
    ]
    for name in candidates:
        metrics = read_json(plan.pretrained(name) / "metrics.json")
        sweep_lines.append(
            f"| {name} | {metrics['windows']} | {percent(final_accuracy(plan.pretrained(name)))} "
            f"({percent(metrics['chance_accuracy'])}) |"
        )
    header = (
        "| recipe | windows | CPC val. acc., mean over K (chance) | KWS frozen, 1 per word (val / test) | "
        "KWS frozen, 3 per word (val / test) | KWS fine-tuned, all clips (val / test) | phone probe, test "
        "(random init) | speaker probe, test (random init) | ABX across, c / z |"
    )
    table = [header, "|---|" + "---:|" * 8]
    table += [recipe_row(work, name, name) for name in recipes]
    if arguments.final_minutes:
        table.append(recipe_row(work, final, f"**{final}**"))
    table += baseline_rows(work)
    text = "\n".join(
        [
            "## Quality per CPU-minute",
            "",
            f"Command: `{command}`. Machine: {machine()}. Date: {date}. Wall time: {total / 60:.0f} min (evaluation "
            "included).",
            "",
            f"Every recipe pretrained for {minutes:g} minutes of wall time on the demo LibriSpeech corpus (batch 32, "
            "constant learning rate 1e-3, validation every 100 steps), then evaluated. KWS: 30 demo words; frozen "
            f"CPC at 1 and 3 clips per word with {arguments.few_label_seeds} seed(s) per recipe (log-mel: 3 seeds); "
            "CPC + fine-tuning with every clip (1 seed) for the best recipe only. Probes: linear, on the demo "
            "alignments. Lower ABX is better.",
            "",
            f"**Sizing `modified-small`** (time to accuracy, {minutes:g} minutes each): chosen **{chosen}**.",
            "",
            *sweep_lines,
            "",
            f"![time to accuracy]({figures.as_posix()}/{FIGURE})",
            "",
            f"**Equal budget.** Best by validation (KWS frozen, mean of 1 and 3 clips per word): **{best}**.",
            "",
            *table,
            "",
            *targets(
                work,
                final if arguments.final_minutes else best,
                arguments.final_minutes if arguments.final_minutes else minutes,
                3 if arguments.final_minutes else arguments.few_label_seeds,
            ),
            "",
            "<details><summary>Wall time per stage</summary>",
            "",
            "| stage | wall time |",
            "|---|---:|",
            *(f"| {name} | {value:.0f} s |" for name, value in seconds.items()),
            "",
            "</details>",
        ]
    )
    update_section(arguments.quality_file, "budget", text)
    print(f"wrote the budget section of {arguments.quality_file} ({total / 60:.0f} min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
