"""A git work tree and a tiny Keras model whose logs look like CPC's (``accuracy_<k>``, ``val_accuracy_<k>``)."""

import subprocess

import keras
import numpy as np
import pytest

PRED_STEPS = 2


def _git(directory, *args):
    subprocess.run(["git", "-C", str(directory), "-c", "user.name=Test", "-c", "user.email=test@example.com", *args],
                   check=True, capture_output=True)


@pytest.fixture
def git_repo(tmp_path):
    """A work tree with one committed file, ``code.py``, and nothing changed."""
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "--quiet")
    (repo / "code.py").write_text("print('hello')\n")
    (repo / ".gitignore").write_text("outputs/\n")
    _git(repo, "add", "code.py", ".gitignore")
    _git(repo, "commit", "--quiet", "-m", "first")
    return repo


def _step_accuracy(k):
    def accuracy(y_true, y_pred):
        return keras.ops.mean(keras.ops.cast(keras.ops.abs(y_true - y_pred) < 0.5 * k, "float32"))

    return keras.metrics.MeanMetricWrapper(accuracy, name=f"accuracy_{k}")


@pytest.fixture
def fit_tiny_model():
    """Trains a one-layer regression for a few epochs with ``callbacks``; returns the Keras history."""

    def fit(callbacks, epochs=3):
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.compile(keras.optimizers.Adam(0.01), "mse", metrics=[_step_accuracy(k) for k in range(1, PRED_STEPS + 1)])
        x = np.random.default_rng(0).random((16, 3), dtype=np.float32)
        y = x.sum(axis=1, keepdims=True)
        return model.fit(x, y, validation_data=(x, y), epochs=epochs, batch_size=8, verbose=0,
                         callbacks=callbacks).history

    return fit
