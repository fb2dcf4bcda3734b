"""Tests of DTW over the angular frame distance against hand-computed cases."""

import numpy as np
import pytest

from probes.dtw_distance import angular_distances, dtw_distance, dtw_distances


def test_angular_distance_is_the_angle_over_pi():
    first = np.array([[1.0, 0.0], [0.0, 2.0], [0.0, 0.0]])
    second = np.array([[3.0, 3.0], [-1.0, 0.0]])
    np.testing.assert_allclose(angular_distances(first, second), [[0.25, 1.0], [0.25, 0.5], [0.5, 0.5]])


def test_dtw_takes_the_cheapest_path_and_averages_along_it():
    # Paths to (2, 1): right-down moves (0,0)->(1,0)->(2,1) cost 0.1 + 0.2 + 0.1 over 3 cells, the
    # cheapest; (0,0)->(1,1)->(2,1) costs 0.5 and (0,0)->(0,1)->(1,1)->(2,1) 1.0.
    distances = np.array([[0.1, 0.5], [0.2, 0.3], [0.4, 0.1]])
    assert dtw_distance(distances) == pytest.approx(0.4 / 3)
    # The diagonal of an identity-shaped cost is free.
    assert dtw_distance(1.0 - np.eye(4)) == 0.0
    assert dtw_distance(np.array([[0.7]])) == pytest.approx(0.7)
    # A single row is walked cell by cell: the mean of the row.
    assert dtw_distance(np.array([[0.2, 0.4, 0.9]])) == pytest.approx(0.5)


def test_batched_equals_one_by_one_for_any_shapes():
    rng = np.random.default_rng(0)
    matrices = [rng.uniform(0, 1, (int(rng.integers(1, 9)), int(rng.integers(1, 9)))) for _ in range(30)]
    batched = dtw_distances(matrices)
    assert batched.shape == (30,)
    for matrix, value in zip(matrices, batched):
        assert value == pytest.approx(_reference_dtw(matrix))


def _reference_dtw(distances):
    """Plain double loop: least total cost, then its path's length, ties diagonal-first."""
    rows, columns = distances.shape
    cost = np.full((rows + 1, columns + 1), np.inf)
    length = np.zeros((rows + 1, columns + 1))
    cost[0, 0] = 0.0
    for i in range(1, rows + 1):
        for j in range(1, columns + 1):
            options = [
                (cost[i - 1, j - 1], length[i - 1, j - 1]),
                (cost[i - 1, j], length[i - 1, j]),
                (cost[i, j - 1], length[i, j - 1]),
            ]
            best_cost, best_length = min(options, key=lambda option: option[0])
            cost[i, j] = best_cost + distances[i - 1, j - 1]
            length[i, j] = best_length + 1
    return cost[rows, columns] / length[rows, columns]
