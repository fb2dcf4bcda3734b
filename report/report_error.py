"""Why no report can be written, in one line."""

from cli.user_error import UserError


class ReportError(UserError):
    """An outputs folder that is missing, holds no results, or holds a result file that cannot be read."""
