"""An argparse parser whose bad-flag report is one line, like every other user error."""

from cli.tensorflow_environment import VERBOSE_FLAG

import argparse


class OneLineErrorParser(argparse.ArgumentParser):
    """Reports a bad flag as a single ``error: ...`` line with exit status 2, without the usage.

    Every command's parser (and subcommand parser) takes ``--verbose``, which
    `cli.tensorflow_environment` reads from the command line before TensorFlow starts.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_argument(
            VERBOSE_FLAG,
            action=_ReadAtStartUp,
            help="show TensorFlow's start-up messages (oneDNN, CUDA and CPU notices), hidden by default",
        )

    def error(self, message: str):
        self.exit(2, f"error: {message}\n")


class _ReadAtStartUp(argparse.Action):
    """A flag acted on before parsing, so it leaves nothing in the parsed arguments."""

    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, argparse.SUPPRESS, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        pass
