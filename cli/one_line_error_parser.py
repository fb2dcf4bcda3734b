"""An argparse parser whose bad-flag report is one line, like every other user error."""

import argparse


class OneLineErrorParser(argparse.ArgumentParser):
    """Reports a bad flag as a single ``error: ...`` line with exit status 2, without the usage."""

    def error(self, message: str):
        self.exit(2, f"error: {message}\n")
