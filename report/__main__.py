"""Command line: ``python -m report [OUTPUTS]`` writes OUTPUTS/report.md and OUTPUTS/report.html."""

import cli.tensorflow_environment

import pathlib
import sys

from cli.one_line_error_parser import OneLineErrorParser
from cli.reported_errors import run_reporting_errors
from report.outputs_report import OutputsReport


def main(argv: list[str] | None = None) -> int:
    parser = OneLineErrorParser(
        prog="python -m report",
        description="Gather what an outputs folder holds (pretraining metrics and figures, keyword-spotting and "
        "probe tables and charts, feature extraction summaries, run records, tracking stores) into report.md "
        "(figures linked) and report.html (self-contained, figures embedded) in that folder.",
    )
    parser.add_argument(
        "outputs_dir",
        nargs="?",
        type=pathlib.Path,
        default=pathlib.Path("outputs"),
        metavar="OUTPUTS",
        help="the outputs folder (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    return run_reporting_errors(lambda: _write_report(args.outputs_dir))


def _write_report(outputs_dir: pathlib.Path) -> int:
    for path in OutputsReport.collect(outputs_dir).write():
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
