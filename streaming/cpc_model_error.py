"""The error raised for a model file that cannot serve as a causal CPC feature extractor."""


class CpcModelError(ValueError):
    """A model file is missing, unreadable or not a causal audio → features CPC model.

    The message is one line naming the file and the problem, so that a command-line tool
    can print it as is and exit with status 2.
    """
