"""TensorFlow's process settings, set when this module is imported: before TensorFlow is.

Every entry point (`train.py`, `tfrecords.py`, each ``python -m`` command, each bench module)
imports this module first, so users get the fast CPU kernels without exporting variables
themselves; a value they did export wins. The import order is kept by the linter
(``pyproject.toml`` gives this module an import section of its own, ahead of all others).

TensorFlow enables oneDNN by default only on some Intel CPUs. On AMD Zen 3 it makes the CPC
training step about 1.3x faster, the encoder's matrix products above all (see `BENCHMARKS.md`);
on a GPU it changes only the few ops left on the CPU. TensorFlow's C++ info logs are hidden.
"""

import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
