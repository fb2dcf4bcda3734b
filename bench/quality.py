"""The whole quality picture on the demo corpora, from one command: `make quality` or `python -m bench.quality`.

Synthesizes the demo corpora, converts them, pretrains CPC with a fixed budget, then runs keyword
spotting (the default recipe with label budgets, background noise and several seeds; the same
recipe for 8 epochs; the reference implementation's recipe), the phone and speaker probes and
ABX, every stage a command of the toolkit. It writes its section of QUALITY.md (tables, the
issue's targets met or missed, the command, the machine, the date and the wall time of every
stage) and copies the figures into docs/quality/. About 55 minutes on 2 cores.

    python -m bench.quality                       # everything, into outputs/quality/
    python -m bench.quality --seeds 5 --work-dir /tmp/quality
"""

import cli.tensorflow_environment

import argparse
import datetime
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import time

from bench.quality_file import update_section
from bench.timing import machine

REPO = pathlib.Path(__file__).resolve().parents[1]
KWS_CNN_ROWS = ("logmel", "random", "random_ft", "cpc", "cpc_ft")
LABEL_BUDGETS = "1,3,10,all"
TEST_SNRS = "20,10,5,0"
FIGURES = {
    "kws/accuracy.png": "kws_accuracy.png",
    "kws/label_budgets.png": "kws_label_budgets.png",
    "kws/noise.png": "kws_noise.png",
    "kws_reference/accuracy.png": "kws_reference_accuracy.png",
    "probes/phone/accuracy.png": "phone_probe.png",
    "probes/speaker/accuracy.png": "speaker_probe.png",
    "probes/abx/abx.png": "abx.png",
}
"""Figures of the run (relative to the work folder) and their names in docs/quality/."""


def stages(arguments: argparse.Namespace) -> list[tuple[str, list[str]]]:
    """Every command of the run, in order, as (name, argv)."""
    work = arguments.work_dir
    data, outputs = work / "data", work / "pretraining"
    python = sys.executable
    librispeech, tfrecords, speech_commands = data / "LibriSpeech", data / "tfrecords", data / "speech_commands"
    kws = [
        python,
        "-m",
        "kws_eval",
        "--speech-commands-dir",
        str(speech_commands),
        "--encoder",
        str(outputs / "genc.h5"),
    ]
    probe = [
        "--tfrecords",
        str(tfrecords / "train-clean-100"),
        "--alignments",
        str(librispeech / "alignments"),
        "--model",
        str(outputs / "gar.keras"),
        "--output-dir",
        str(work / "probes"),
        "--epochs",
        "10",
        "--supervised-epochs",
        "2",
        "--batch-size",
        "8",
        "--supervised-learning-rate",
        "3e-3",
        "--quiet",
    ]
    return [
        ("demo LibriSpeech", [python, "-m", "demo", "librispeech", str(librispeech)]),
        ("demo Speech Commands", [python, "-m", "demo", "speechcommands", str(speech_commands)]),
        ("convert train-clean-100", [python, "tfrecords.py", "train-clean-100", "--librispeech-dir", str(librispeech)]),
        ("convert dev-clean", [python, "tfrecords.py", "dev-clean", "--librispeech-dir", str(librispeech)]),
        (
            "pretrain CPC",
            [
                python,
                "train.py",
                "--data-dir",
                str(tfrecords),
                "--output-dir",
                str(outputs),
                "--batch-size",
                "32",
                "--epochs",
                str(arguments.pretrain_epochs),
                "--steps-per-epoch",
                str(arguments.pretrain_steps),
                "--lr-milestones",
                ",".join(str(round(arguments.pretrain_epochs * share)) for share in (0.5, 0.75, 0.875)),
            ],
        ),
        (
            "KWS, default recipe",
            [
                *kws,
                "--output-dir",
                str(work / "kws"),
                "--train-per-word",
                LABEL_BUDGETS,
                "--test-snr",
                TEST_SNRS,
                "--seeds",
                str(arguments.seeds),
            ],
        ),
        (
            "KWS, default recipe, 8 epochs",
            [*kws, "--output-dir", str(work / "kws_8_epochs"), "--epochs", "8", "--rows", ",".join(KWS_CNN_ROWS)],
        ),
        (
            "KWS, reference recipe",
            [
                *kws,
                "--output-dir",
                str(work / "kws_reference"),
                "--recipe",
                "reference",
                "--rows",
                ",".join(KWS_CNN_ROWS),
            ],
        ),
        ("phone probe", [python, "-m", "probes", "phone", *probe]),
        ("speaker probe", [python, "-m", "probes", "speaker", *probe]),
        (
            "ABX",
            [
                python,
                "-m",
                "probes",
                "abx",
                "--tfrecords",
                str(tfrecords / "dev-clean"),
                "--alignments",
                str(librispeech / "alignments"),
                "--model",
                str(outputs / "gar.keras"),
                "--output-dir",
                str(work / "probes"),
                "--quiet",
            ],
        ),
    ]


def run_stages(plan: list[tuple[str, list[str]]], logs: pathlib.Path, resume: bool = False) -> dict[str, float]:
    """Runs every stage, its output in `logs/<name>.log`; returns the wall seconds of each.

    A stage that succeeds leaves `logs/<name>.done` holding its seconds; with `resume`, a stage
    that has one is not run again (its seconds are read back), so a long run stopped midway
    continues where it stood.

    Raises:
        SystemExit: A stage failed (its log's last lines are printed first).
    """
    logs.mkdir(parents=True, exist_ok=True)
    seconds = {}
    for number, (name, argv) in enumerate(plan, start=1):
        stem = re.sub(r"[^A-Za-z0-9.-]+", "_", name).strip("_")
        log, done = logs / f"{stem}.log", logs / f"{stem}.done"
        if resume and done.is_file():
            seconds[name] = float(done.read_text())
            print(f"[{number}/{len(plan)}] {name}: done before ({seconds[name]:.0f} s)", flush=True)
            continue
        print(f"[{number}/{len(plan)}] {name} ... ", end="", flush=True)
        started = time.monotonic()
        with log.open("w") as output:
            status = subprocess.run(argv, cwd=REPO, stdout=output, stderr=subprocess.STDOUT).returncode
        seconds[name] = time.monotonic() - started
        print(f"{seconds[name]:.0f} s", flush=True)
        if status != 0:
            tail = log.read_text(errors="replace").splitlines()[-15:]
            print("\n".join(tail), file=sys.stderr)
            raise SystemExit(f"error: stage '{name}' failed with exit code {status}; its output is in {log}")
        done.write_text(f"{seconds[name]:.3f}\n")
    return seconds


def read_json(path: pathlib.Path) -> dict:
    return json.loads(path.read_text())


def percent(value: float) -> str:
    return f"{100 * value:.1f} %"


def verdict(met: bool) -> str:
    return "met" if met else "**missed**"


def kws_sections(work: pathlib.Path, figures: str) -> list[str]:
    """The keyword-spotting tables and the issue's targets, as Markdown."""
    default = read_json(work / "kws" / "results.json")
    quick = read_json(work / "kws_8_epochs" / "results.json")
    reference = read_json(work / "kws_reference" / "results.json")
    rows, seeds = default["rows"], default["recipe"]["seeds"]
    test_clips = default["data"]["clips"]["testing"]
    lines = [
        f"### Keyword spotting, default recipe ({len(seeds)} seeds, mean ± std; {test_clips} test clips)",
        "",
        (work / "kws" / "results.md").read_text().split("\n\n", 1)[1].strip(),
        "",
        f"![KWS accuracy]({figures}/kws_accuracy.png)",
        f"![KWS label budgets]({figures}/kws_label_budgets.png)",
        f"![KWS noise]({figures}/kws_noise.png)",
        "",
        "### Against the reference recipe (its image CNN, 25 epochs, constant 1e-3, 1 seed)",
        "",
        "| row | default recipe, test | reference recipe, test | difference | ± one run (95 %) |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in KWS_CNN_ROWS:
        ours, theirs = rows[name]["test_acc"], reference["rows"][name]["test_acc"]
        lines.append(
            f"| {name} | {percent(ours)} | {percent(theirs)} | {100 * (ours - theirs):+.1f} | "
            f"{100 * rows[name]['test_acc_half_width_95']:.1f} |"
        )
    lines += ["", f"![KWS, reference recipe]({figures}/kws_reference_accuracy.png)", "", "### Targets", ""]
    lines += ["| target | figure | verdict |", "|---|---|---|"]
    for name in KWS_CNN_ROWS:
        train = quick["rows"][name]["train_acc"]
        lines.append(
            f"| {name}: ≥ 99 % training accuracy within 8 epochs | {percent(train)} | {verdict(train >= 0.99)} |"
        )
    for frozen in ("cpc", "cpc_linear"):
        random = frozen.replace("cpc", "random")
        if frozen in rows and random in rows:
            better = rows[frozen]["test_acc"] > rows[random]["test_acc"]
            lines.append(
                f"| {frozen} above {random} (test) | {percent(rows[frozen]['test_acc'])} against "
                f"{percent(rows[random]['test_acc'])} | {verdict(better)} |"
            )
    for tuned in ("random_ft", "cpc_ft"):
        gap = 100 * (rows["logmel"]["test_acc"] - rows[tuned]["test_acc"])
        lines.append(
            f"| {tuned} within 3 points of log-mel (test) | {percent(rows[tuned]['test_acc'])} against "
            f"{percent(rows['logmel']['test_acc'])}, {gap:+.1f} points behind | {verdict(gap <= 3)} |"
        )
    for name in KWS_CNN_ROWS:
        ours, theirs = rows[name]["test_acc"], reference["rows"][name]["test_acc"]
        lines.append(
            f"| {name} ≥ the reference recipe (test) | {percent(ours)} against {percent(theirs)} | "
            f"{verdict(ours >= theirs)} |"
        )
    return lines


def probe_sections(work: pathlib.Path, figures: str) -> list[str]:
    """The phone and speaker probe tables and ABX, as Markdown."""
    lines = []
    for task in ("phone", "speaker"):
        results = read_json(work / "probes" / task / "results.json")
        lines += [
            f"### Linear {task} probe (majority class {percent(results['majority_test_acc'])})",
            "",
            "| row | train | test |",
            "|---|---:|---:|",
        ]
        lines += [
            f"| {name} | {percent(row['train_acc'])} | {percent(row['test_acc'])} |"
            for name, row in results["rows"].items()
        ]
        lines += ["", f"![{task} probe]({figures}/{task}_probe.png)", ""]
    abx = read_json(work / "probes" / "abx" / "results.json")
    recipe = abx["recipe"]
    lines += [
        f"### ABX error on dev-clean (lower is better; {recipe['utterances']} utterances, {recipe['speakers']} "
        f"speakers, {recipe['items']} triphone items)",
        "",
        "| row | within speakers | across speakers |",
        "|---|---:|---:|",
    ]
    for name, row in abx["rows"].items():
        cells = [
            "–" if row[f"{mode}_error"] is None else percent(row[f"{mode}_error"]) for mode in ("within", "across")
        ]
        lines.append(f"| {name} | {' | '.join(cells)} |")
    lines += ["", f"![ABX]({figures}/abx.png)"]
    return lines


def pretraining_lines(work: pathlib.Path) -> list[str]:
    """What the fixed pretraining budget gave."""
    metrics = read_json(work / "pretraining" / "metrics.json")
    accuracy = metrics["val_accuracy_per_step"]
    steps = ", ".join(f"k={k}: {100 * accuracy[k]:.1f} %" for k in ("1", "5", str(len(accuracy))))
    return [
        f"Pretraining: `seed` preset, {metrics['windows']} windows ({metrics['steps']} steps, {metrics['epochs']} "
        f"epochs) in {metrics['wall_seconds']:.0f} s; validation accuracy {steps} (chance "
        f"{100 * metrics['chance_accuracy']:.1f} %).",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.quality", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--work-dir",
        type=pathlib.Path,
        default=REPO / "outputs" / "quality",
        help="where corpora, models and results go; emptied first (default: %(default)s)",
    )
    parser.add_argument("--seeds", type=int, default=3, help="seeds of the default KWS recipe (default: %(default)s)")
    parser.add_argument("--pretrain-epochs", type=int, default=24, help="CPC epochs (default: %(default)s)")
    parser.add_argument(
        "--pretrain-steps", type=int, default=100, help="batches of 32 windows per CPC epoch (default: %(default)s)"
    )
    parser.add_argument(
        "--quality-file",
        type=pathlib.Path,
        default=REPO / "QUALITY.md",
        help="the file whose quality-run section is rewritten (default: %(default)s)",
    )
    parser.add_argument(
        "--figures-dir",
        type=pathlib.Path,
        default=REPO / "docs" / "quality",
        help="where the figures are copied (default: %(default)s)",
    )
    arguments = parser.parse_args(argv)
    work = arguments.work_dir.resolve()
    arguments.work_dir = work
    if work.exists():
        marker = work / ".quality-run"
        if not marker.is_file():
            parser.exit(2, f"error: --work-dir {work} exists and was not made by bench.quality; give a new folder\n")
        shutil.rmtree(work)
    work.mkdir(parents=True)
    (work / ".quality-run").write_text("made by python -m bench.quality\n")
    started = time.monotonic()
    date = datetime.date.today().isoformat()
    seconds = run_stages(stages(arguments), work / "logs")
    arguments.figures_dir.mkdir(parents=True, exist_ok=True)
    for source, name in FIGURES.items():
        shutil.copyfile(work / source, arguments.figures_dir / name)
    total = time.monotonic() - started
    command = "python -m bench.quality" + "".join(
        f" --{flag.replace('_', '-')} {getattr(arguments, flag)}"
        for flag, default in (("seeds", 3), ("pretrain_epochs", 24), ("pretrain_steps", 100))
        if getattr(arguments, flag) != default
    )
    figures = pathlib.Path(
        os.path.relpath(arguments.figures_dir.resolve(), arguments.quality_file.resolve().parent)
    ).as_posix()
    stage_table = ["| stage | wall time |", "|---|---:|"] + [
        f"| {name} | {value:.0f} s |" for name, value in seconds.items()
    ]
    text = "\n".join(
        [
            "## The quality run on the demo corpora",
            "",
            f"Command: `{command}` (or `make quality`). Machine: {machine()}. Date: {date}. "
            f"Wall time: {total / 60:.0f} min.",
            "",
            *pretraining_lines(work),
            "",
            *kws_sections(work, figures),
            "",
            *probe_sections(work, figures),
            "",
            "<details><summary>Wall time per stage</summary>",
            "",
            *stage_table,
            "",
            "</details>",
        ]
    )
    update_section(arguments.quality_file, "quality-run", text)
    print(
        f"wrote {arguments.quality_file} and {len(FIGURES)} figures in {arguments.figures_dir} ({total / 60:.0f} min)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
