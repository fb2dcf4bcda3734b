"""Why the encoder rows underfit: the keyword-spotting recipe changed one step at a time.

Starts from the reference implementation's recipe cut to 8 epochs (a quick run) and adds this
toolkit's changes one by one, each a `python -m kws_eval` run of the five CNN rows on the same
data and encoder: the cosine schedule, batch normalisation of the input features, batch 16, wider
filters, the temporal classifier for the encoder rows, the time shifts (then the default recipe),
and the default recipe at its 20 epochs; then variants of the default recipe, each one change:
no time shifts at 20 epochs, and at 8 epochs the temporal classifier for log-mel too, the first
frames cropped, and a higher learning rate. It reports training and validation
accuracy only: recipes are chosen on validation, never on the test split. Writes its section of
QUALITY.md. About 40 minutes on 2 cores.

    python -m bench.quality            # first: makes the demo corpora and the encoder
    python -m bench.kws_recipe         # then this, on the same outputs/quality/
"""

import cli.tensorflow_environment

import argparse
import datetime
import json
import pathlib
import sys
import time

from bench.quality import run_stages
from bench.quality_file import update_section
from bench.timing import machine

REPO = pathlib.Path(__file__).resolve().parents[1]
ROWS = ("logmel", "random", "random_ft", "cpc", "cpc_ft")
REFERENCE_8 = ["--recipe", "reference", "--epochs", "8"]
CHAIN = (
    ("cosine schedule", ["--lr-schedule", "cosine"]),
    ("input batch norm", ["--input-norm", "batch"]),
    ("batch 16", ["--batch-size", "16"]),
    ("filters 64,128,256", ["--filters", "64,128,256"]),
    ("temporal classifier for the encoder rows", ["--classifier", "auto"]),
)


def _ladder() -> list[tuple[str, list[str]]]:
    steps = [("reference recipe, 8 epochs", REFERENCE_8)]
    for change, flags in CHAIN:
        steps.append((f"+ {change}", [*steps[-1][1], *flags]))
    return [
        *steps,
        ("+ 100 ms time shifts = default recipe, 8 epochs", ["--epochs", "8"]),
        ("default recipe, 20 epochs", []),
        ("default recipe, 20 epochs, no time shifts", ["--time-shift-ms", "0"]),
        (
            "default recipe, 8 epochs, temporal classifier for log-mel too",
            ["--epochs", "8", "--classifier", "temporal"],
        ),
        ("default recipe, 8 epochs, first 3 frames cropped", ["--epochs", "8", "--crop-frames", "3"]),
        ("default recipe, 8 epochs, learning rate 3e-3", ["--epochs", "8", "--lr", "3e-3"]),
    ]


LADDER = _ladder()
"""Each step's flags to `python -m kws_eval`: up to the default recipe every step adds one change to
the one before; the variants after it change one setting of the default recipe."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.kws_recipe", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    quality = REPO / "outputs" / "quality"
    parser.add_argument(
        "--speech-commands-dir",
        type=pathlib.Path,
        default=quality / "data" / "speech_commands",
        help="the keyword set (default: the one bench.quality made, %(default)s)",
    )
    parser.add_argument(
        "--encoder",
        type=pathlib.Path,
        default=quality / "pretraining" / "genc.h5",
        help="the CPC encoder (default: the one bench.quality trained, %(default)s)",
    )
    parser.add_argument(
        "--work-dir",
        type=pathlib.Path,
        default=quality / "kws_recipe",
        help="where each step's results go (default: %(default)s)",
    )
    parser.add_argument(
        "--quality-file",
        type=pathlib.Path,
        default=REPO / "QUALITY.md",
        help="the file whose kws-recipe section is rewritten (default: %(default)s)",
    )
    arguments = parser.parse_args(argv)
    for path in (arguments.speech_commands_dir, arguments.encoder):
        if not path.exists():
            parser.exit(2, f"error: {path}: not found; run python -m bench.quality first, or give the flag\n")
    started, date = time.monotonic(), datetime.date.today().isoformat()

    def step_dir(number: int) -> pathlib.Path:
        return arguments.work_dir / f"step{number}"

    plan = [
        (
            name,
            [
                sys.executable,
                "-m",
                "kws_eval",
                "--speech-commands-dir",
                str(arguments.speech_commands_dir),
                "--encoder",
                str(arguments.encoder),
                "--output-dir",
                str(step_dir(number)),
                "--rows",
                ",".join(ROWS),
                *flags,
            ],
        )
        for number, (name, flags) in enumerate(LADDER, start=1)
    ]
    run_stages(plan, arguments.work_dir / "logs")
    results = [
        (name, flags, json.loads((step_dir(number) / "results.json").read_text())["rows"])
        for number, (name, flags) in enumerate(LADDER, start=1)
    ]
    header = "| step | flags | " + " | ".join(ROWS) + " |"
    lines = [
        "## Keyword-spotting recipe, one change at a time",
        "",
        f"Command: `python -m bench.kws_recipe`, after `python -m bench.quality` (its demo Speech Commands set and "
        f"encoder). Machine: {machine()}. Date: {date}. Wall time: {(time.monotonic() - started) / 60:.0f} min. "
        "Each cell is training / validation accuracy (%) of one run, seed 0, the training accuracy measured on clean "
        "clips after training. The test split is not looked at.",
        "",
        header,
        "|---|---|" + "---:|" * len(ROWS),
    ]
    for name, flags, rows in results:
        cells = [f"{100 * rows[row]['train_acc']:.1f} / {100 * rows[row]['val_acc']:.1f}" for row in ROWS]
        lines.append(f"| {name} | `{' '.join(flags) or '(defaults)'}` | {' | '.join(cells)} |")
    update_section(arguments.quality_file, "kws-recipe", "\n".join(lines))
    print(f"wrote the kws-recipe section of {arguments.quality_file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
