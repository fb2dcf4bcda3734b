"""A report as Markdown; figures are linked by their path relative to the report.

Text comes partly from result files, so it is escaped: raw HTML, links and emphasis in it
show as typed (`_` is left alone: inside names it is no emphasis). Backtick code spans,
which the report writes itself, are kept.
"""

import re
import urllib.parse

from report.report_section import Figure, Heading, Paragraph, ReportSection, Table


def render_markdown(title: str, subtitle: str, sections: list[ReportSection]) -> str:
    """The whole report, to be saved in the outputs folder beside the figures it links."""
    lines = [f"# {title}", "", subtitle, ""]
    for section in sections:
        lines += [f"## {section.title}", ""]
        for block in section.blocks:
            lines += _block(block) + [""]
    return "\n".join(lines).rstrip("\n") + "\n"


_CODE_SPAN = re.compile(r"(`[^`]*`)")
_SPECIAL = re.compile(r"([\\<>&\[\]*!#~])")


def _block(block) -> list[str]:
    if isinstance(block, Paragraph):
        return [_escape(block.text)]
    if isinstance(block, Heading):
        return [f"### {_escape(block.text)}"]
    if isinstance(block, Figure):
        caption = _escape(block.caption)
        return [f"![{caption}]({urllib.parse.quote(str(block.path))})", "", f"*{caption}*"]
    if isinstance(block, Table):
        lines = [_row(block.header), _row(["---:" if numeric else "---" for numeric in block.numeric])]
        return lines + [_row(row) for row in block.rows]
    raise TypeError(f"unknown report block {block!r}")


def _row(cells: list[str]) -> str:
    escaped = [_escape(cell).replace("|", "\\|").replace("\n", " ") for cell in cells]
    return "| " + " | ".join(escaped) + " |"


def _escape(text: str) -> str:
    """``text`` with Markdown's and HTML's special characters backslash-escaped outside code spans."""
    parts = _CODE_SPAN.split(text)
    return "".join(part if index % 2 else _SPECIAL.sub(r"\\\1", part) for index, part in enumerate(parts))
