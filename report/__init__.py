"""``python -m report outputs/``: a Markdown and a self-contained HTML report of an outputs folder."""
