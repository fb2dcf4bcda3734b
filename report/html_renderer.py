"""A report as one self-contained HTML page: styles inline, figures embedded as base64 PNGs."""

import base64
import html
import pathlib
import re

from report.report_error import ReportError
from report.report_section import Figure, Heading, Paragraph, ReportSection, Table

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
h2 { border-bottom: 1px solid #ccc; padding-bottom: .2rem; margin-top: 2.5rem; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #ccc; padding: .25rem .6rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
code { background: #f3f3f3; padding: 0 .2rem; word-break: break-all; }
figure { margin: 1.5rem 0; }
figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { color: #555; font-size: .9rem; }
"""


def render_html(title: str, subtitle: str, sections: list[ReportSection], outputs_dir: pathlib.Path) -> str:
    """The whole report; figures are read from ``outputs_dir`` and embedded.

    Raises:
        ReportError: A figure cannot be read.
    """
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        f'<head><meta charset="utf-8"><title>{html.escape(title)}</title><style>{_STYLE}</style></head>',
        "<body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p>{_inline(subtitle)}</p>",
        "<nav><ul>",
        *(f'<li><a href="#{_anchor(section.title)}">{html.escape(section.title)}</a></li>' for section in sections),
        "</ul></nav>",
    ]
    for section in sections:
        parts.append(f'<section id="{_anchor(section.title)}"><h2>{html.escape(section.title)}</h2>')
        parts += [_block(block, outputs_dir) for block in section.blocks]
        parts.append("</section>")
    parts += ["</body>", "</html>"]
    return "\n".join(parts) + "\n"


def _block(block, outputs_dir: pathlib.Path) -> str:
    if isinstance(block, Paragraph):
        return f"<p>{_inline(block.text)}</p>"
    if isinstance(block, Heading):
        return f"<h3>{_inline(block.text)}</h3>"
    if isinstance(block, Figure):
        path = outputs_dir / block.path
        try:
            data = base64.b64encode(path.read_bytes()).decode("ascii")
        except OSError as error:
            raise ReportError(f"{path}: cannot be read ({error.strerror})") from None
        caption = html.escape(block.caption)
        return (
            f'<figure><img src="data:image/png;base64,{data}" alt="{caption}">'
            f"<figcaption>{caption} (<code>{html.escape(str(block.path))}</code>)</figcaption></figure>"
        )
    if isinstance(block, Table):
        header = "".join(_cell("th", text, numeric) for text, numeric in zip(block.header, block.numeric))
        rows = [
            "<tr>" + "".join(_cell("td", text, numeric) for text, numeric in zip(row, block.numeric)) + "</tr>"
            for row in block.rows
        ]
        return f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    raise TypeError(f"unknown report block {block!r}")


def _cell(tag: str, text: str, numeric: bool) -> str:
    css = ' class="number"' if numeric else ""
    return f"<{tag}{css}>{_inline(text)}</{tag}>"


def _inline(text: str) -> str:
    """Escaped text with `code` spans."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text, quote=False))


def _anchor(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
