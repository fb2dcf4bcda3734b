"""Benchmarks and quality runs (``python -m bench.<name>``): the figures of BENCHMARKS.md and QUALITY.md."""
