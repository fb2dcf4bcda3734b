"""Multinomial logistic regression fitted exactly (L-BFGS), for the linear rows."""

import dataclasses

import numpy as np
import scipy.optimize
import scipy.special

L2_GRID = (1e-4, 1e-3, 1e-2, 1e-1, 1.0)
"""L2 strengths tried; the one with the best validation accuracy is kept."""

_MAX_ITERATIONS = 500


@dataclasses.dataclass(frozen=True)
class LinearSoftmax:
    """A fitted linear softmax on standardised features.

    Attributes:
        mean: `(features,)` mean of the training features.
        variance: `(features,)` their variance (floored, so constant features stay finite).
        kernel: `(features, classes)` weights of the standardised features.
        bias: `(classes,)` offsets.
        l2: The L2 strength chosen on validation.
    """

    mean: np.ndarray
    variance: np.ndarray
    kernel: np.ndarray
    bias: np.ndarray
    l2: float

    def predict(self, features: np.ndarray) -> np.ndarray:
        """Class of every example, `(examples,)`, from `(examples, features)`."""
        standardised = (features - self.mean) / np.sqrt(self.variance)
        return np.argmax(standardised @ self.kernel + self.bias, axis=1)


def fit_linear_softmax(
    train_features: np.ndarray,
    train_labels: np.ndarray,
    val_features: np.ndarray,
    val_labels: np.ndarray,
    num_classes: int,
    l2_grid: tuple[float, ...] = L2_GRID,
) -> LinearSoftmax:
    """Fits the softmax at every L2 strength and keeps the best on validation.

    The loss is the mean cross-entropy plus `l2 / 2 * |kernel|^2`, a strictly convex problem:
    the fit does not depend on a seed, a learning rate or a number of epochs. Ties in validation
    accuracy go to the stronger L2.

    Args:
        train_features: `(examples, features)` of the training clips.
        train_labels: `(examples,)` their classes.
        val_features: `(examples, features)` of the validation clips.
        val_labels: `(examples,)` their classes.
        num_classes: Number of classes.
        l2_grid: L2 strengths to try.

    Returns:
        The chosen `LinearSoftmax`.
    """
    train64 = train_features.astype(np.float64)
    mean = train64.mean(axis=0)
    variance = np.maximum(train64.var(axis=0), 1e-12)
    standardised = (train64 - mean) / np.sqrt(variance)
    best, best_accuracy = None, -1.0
    for l2 in sorted(l2_grid):
        kernel, bias = _fit(standardised, train_labels, num_classes, l2)
        candidate = LinearSoftmax(mean, variance, kernel, bias, l2)
        accuracy = float(np.mean(candidate.predict(val_features.astype(np.float64)) == val_labels))
        if accuracy >= best_accuracy:
            best, best_accuracy = candidate, accuracy
    return best


def _fit(features: np.ndarray, labels: np.ndarray, num_classes: int, l2: float) -> tuple[np.ndarray, np.ndarray]:
    dims = features.shape[1]
    solution = scipy.optimize.minimize(
        softmax_objective(features, labels, num_classes, l2),
        np.zeros(dims * num_classes + num_classes),
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": _MAX_ITERATIONS},
    )
    return solution.x[: dims * num_classes].reshape(dims, num_classes), solution.x[dims * num_classes :]


def softmax_objective(features: np.ndarray, labels: np.ndarray, num_classes: int, l2: float):
    """The loss the fit minimises and its gradient, as one function of the flat parameters.

    Args:
        features: `(examples, features)`, standardised.
        labels: `(examples,)` classes.
        num_classes: Number of classes.
        l2: L2 strength on the kernel (not the bias).

    Returns:
        A function of `(features * classes + classes,)` parameters (the kernel row-major, then the
        bias) returning `(loss, gradient)`.
    """
    examples, dims = features.shape
    targets = np.zeros((examples, num_classes))
    targets[np.arange(examples), labels] = 1.0

    def loss_and_gradient(parameters):
        kernel = parameters[: dims * num_classes].reshape(dims, num_classes)
        bias = parameters[dims * num_classes :]
        logits = features @ kernel + bias
        log_probabilities = logits - scipy.special.logsumexp(logits, axis=1, keepdims=True)
        loss = -np.sum(targets * log_probabilities) / examples + 0.5 * l2 * np.sum(kernel * kernel)
        error = (np.exp(log_probabilities) - targets) / examples
        kernel_gradient = features.T @ error + l2 * kernel
        return loss, np.concatenate([kernel_gradient.ravel(), error.sum(axis=0)])

    return loss_and_gradient
