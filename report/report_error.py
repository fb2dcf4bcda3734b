"""Why no report can be written, in one line."""


class ReportError(ValueError):
    """An outputs folder that is missing, holds no results, or holds a result file that cannot be read."""
