"""A report's content, independent of Markdown or HTML: sections of paragraphs, tables and figures."""

import dataclasses
import pathlib


@dataclasses.dataclass
class Paragraph:
    """Text; ``code`` in backticks is shown as code.

    Attributes:
        text: The paragraph.
    """

    text: str


@dataclasses.dataclass
class Heading:
    """A heading inside a section (one run record among several).

    Attributes:
        text: The heading.
    """

    text: str


@dataclasses.dataclass
class Table:
    """A table of text cells.

    Attributes:
        header: Column titles.
        rows: Cells, one list per row, as long as ``header``.
        numeric: Per column, whether it holds numbers (aligned right).
    """

    header: list[str]
    rows: list[list[str]]
    numeric: list[bool]


@dataclasses.dataclass
class Figure:
    """A PNG of the outputs folder.

    Attributes:
        path: The file, relative to the outputs folder.
        caption: What it shows.
    """

    path: pathlib.PurePosixPath
    caption: str


Block = Paragraph | Heading | Table | Figure


@dataclasses.dataclass
class ReportSection:
    """One part of the report, present only when its files are.

    Attributes:
        title: The section's heading.
        blocks: Its content, in order.
    """

    title: str
    blocks: list[Block]
