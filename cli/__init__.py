"""Command-line plumbing shared by every entry point: TensorFlow's environment, the one-line
error parser and the user-error type every command reports in one line with exit status 2."""
