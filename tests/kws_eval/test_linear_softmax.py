"""Tests of the exactly fitted linear softmax of the linear rows."""

import numpy as np
import pytest
import scipy.optimize

from kws_eval.linear_softmax import fit_linear_softmax, softmax_objective


def _blobs(rng, count, classes=3, dims=5, spread=0.5):
    labels = rng.integers(0, classes, count)
    centres = np.eye(classes, dims) * 3
    return (centres[labels] + spread * rng.standard_normal((count, dims))) * 10 + 7, labels


def test_separates_blobs_of_any_scale():
    rng = np.random.default_rng(0)
    train_x, train_y = _blobs(rng, 120)
    val_x, val_y = _blobs(rng, 60)
    softmax = fit_linear_softmax(train_x, train_y, val_x, val_y, 3)
    assert np.mean(softmax.predict(val_x) == val_y) == 1.0
    np.testing.assert_allclose(softmax.mean, train_x.mean(axis=0))
    np.testing.assert_allclose(softmax.variance, train_x.var(axis=0))
    assert softmax.kernel.shape == (5, 3) and softmax.bias.shape == (3,)


def test_gradient_of_the_objective_is_exact():
    rng = np.random.default_rng(1)
    features, labels = rng.standard_normal((20, 4)), rng.integers(0, 3, 20)
    function = softmax_objective(features, labels, 3, 0.1)
    point = rng.standard_normal(4 * 3 + 3)
    error = scipy.optimize.check_grad(lambda x: function(x)[0], lambda x: function(x)[1], point)
    assert error < 1e-6
    # At zero weights the loss is log(classes): every class equally likely.
    assert function(np.zeros(15))[0] == pytest.approx(np.log(3))
    # The L2 term is l2 / 2 times the kernel's squared norm, the bias left out.
    kernel_only = np.concatenate([np.ones(12), np.zeros(3)])
    no_l2 = softmax_objective(features, labels, 3, 0.0)
    assert function(kernel_only)[0] - no_l2(kernel_only)[0] == pytest.approx(0.05 * 12)


def test_l2_is_chosen_on_validation_and_ties_go_to_the_stronger():
    rng = np.random.default_rng(2)
    train_x, train_y = _blobs(rng, 90, spread=0.2)
    val_x, val_y = _blobs(rng, 30, spread=0.2)
    # Every strength separates these blobs: the tie goes to the strongest.
    assert fit_linear_softmax(train_x, train_y, val_x, val_y, 3, l2_grid=(1e-3, 1e-1, 1.0)).l2 == 1.0
    # Validation labels that only a weakly regularised fit of noisy training labels matches.
    noisy_x = rng.standard_normal((40, 30))
    noisy_y = rng.integers(0, 2, 40)
    chosen = fit_linear_softmax(noisy_x, noisy_y, noisy_x, noisy_y, 2, l2_grid=(1e-4, 100.0))
    assert chosen.l2 == 1e-4
