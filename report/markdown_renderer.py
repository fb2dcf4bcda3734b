"""A report as Markdown; figures are linked by their path relative to the report."""

from report.report_section import Figure, Heading, Paragraph, ReportSection, Table


def render_markdown(title: str, subtitle: str, sections: list[ReportSection]) -> str:
    """The whole report, to be saved in the outputs folder beside the figures it links."""
    lines = [f"# {title}", "", subtitle, ""]
    for section in sections:
        lines += [f"## {section.title}", ""]
        for block in section.blocks:
            lines += _block(block) + [""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _block(block) -> list[str]:
    if isinstance(block, Paragraph):
        return [block.text]
    if isinstance(block, Heading):
        return [f"### {block.text}"]
    if isinstance(block, Figure):
        return [f"![{block.caption}]({block.path})", "", f"*{block.caption}*"]
    if isinstance(block, Table):
        lines = [_row(block.header), _row(["---:" if numeric else "---" for numeric in block.numeric])]
        return lines + [_row(row) for row in block.rows]
    raise TypeError(f"unknown report block {block!r}")


def _row(cells: list[str]) -> str:
    escaped = [cell.replace("|", "\\|").replace("\n", " ") for cell in cells]
    return "| " + " | ".join(escaped) + " |"
