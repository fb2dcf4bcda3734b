"""QUALITY.md as sections, each rewritten by the script that measures it.

A section lies between `<!-- begin NAME -->` and `<!-- end NAME -->`; a script replaces its own
section and leaves the others as they are, appending its section the first time.
"""

import pathlib
import re

from artefacts.atomic_files import write_text

_TITLE = (
    "# Quality\n\nEvery figure here comes from a script in `bench/`; each section names its command, machine "
    "and date.\n"
)


def update_section(path: pathlib.Path, name: str, text: str) -> None:
    """Puts `text` into section `name` of the file at `path`, atomically (created if missing)."""
    path = pathlib.Path(path)
    document = path.read_text(encoding="utf-8") if path.is_file() else _TITLE
    block = f"<!-- begin {name} -->\n{text.strip()}\n<!-- end {name} -->"
    pattern = re.compile(rf"<!-- begin {re.escape(name)} -->.*?<!-- end {re.escape(name)} -->", re.DOTALL)
    if pattern.search(document):
        document = pattern.sub(lambda _: block, document)
    else:
        document = f"{document.rstrip()}\n\n{block}\n"
    write_text(path, document if document.endswith("\n") else document + "\n")
