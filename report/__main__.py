"""Command line: ``python -m report [OUTPUTS]`` writes OUTPUTS/report.md and OUTPUTS/report.html."""

import argparse
import pathlib
import sys

from report.outputs_report import OutputsReport
from report.report_error import ReportError
from tracking.artefact_files import os_error_line
from tracking.folder_lock import FolderLockedError


class _OneLineErrorParser(argparse.ArgumentParser):
    """Reports bad flags as a single ``error: ...`` line, like other user errors."""

    def error(self, message: str):
        self.exit(2, f"error: {message}\n")


def main(argv: list[str] | None = None) -> int:
    parser = _OneLineErrorParser(
        prog="python -m report",
        description="Gather what an outputs folder holds (pretraining metrics and figures, keyword-spotting and "
        "probe tables and charts, run records, tracking stores) into report.md (figures linked) and report.html "
        "(self-contained, figures embedded) in that folder.",
    )
    parser.add_argument("outputs_dir", nargs="?", type=pathlib.Path, default=pathlib.Path("outputs"),
                        metavar="OUTPUTS", help="the outputs folder (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        paths = OutputsReport.collect(args.outputs_dir).write()
    except (ReportError, FolderLockedError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"error: {os_error_line(error)}", file=sys.stderr)
        return 2
    for path in paths:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
