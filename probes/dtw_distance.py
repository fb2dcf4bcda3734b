"""Dynamic time warping of two feature sequences under the angular (cosine) frame distance.

The ABX distance of ZeroSpeech 2017/2021: the frame distance is the angle between two feature
vectors over pi, `arccos(cos(a, b)) / pi` in [0, 1]; the sequence distance is the mean frame
distance along the DTW path of least total cost, moves (1, 0), (0, 1) and (1, 1).
"""

import numpy as np

_NORM_FLOOR = 1e-12


def angular_distances(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """`(n, m)` angle over pi between every frame of `first` `(n, dim)` and of `second` `(m, dim)`.

    A zero vector has no direction: its cosine with anything is taken as 0 (distance 0.5).
    """
    first = first / np.maximum(np.linalg.norm(first, axis=1, keepdims=True), _NORM_FLOOR)
    second = second / np.maximum(np.linalg.norm(second, axis=1, keepdims=True), _NORM_FLOOR)
    return np.arccos(np.clip(first @ second.T, -1.0, 1.0)) / np.pi


def dtw_distance(distances: np.ndarray) -> float:
    """The mean frame distance along the least-cost warping path of one `(n, m)` distance matrix."""
    return float(dtw_distances([distances])[0])


def dtw_distances(matrices: list[np.ndarray]) -> np.ndarray:
    """`dtw_distance` of many matrices at once, vectorised over matrices and anti-diagonals.

    The cumulative cost of cell `(i, j)` is its distance plus the least cost of `(i - 1, j - 1)`,
    `(i - 1, j)` and `(i, j - 1)` (ties in that order); each path's length is counted along,
    and the result is the cost of the last cell over the length of its path.

    Args:
        matrices: `(n_p, m_p)` frame distances of every pair, each at least 1 × 1.

    Returns:
        `(pairs,)` float64.
    """
    rows = np.array([matrix.shape[0] for matrix in matrices])
    columns = np.array([matrix.shape[1] for matrix in matrices])
    height, width = int(rows.max()), int(columns.max())
    distance = np.full((len(matrices), height, width), np.inf)
    for pair, matrix in enumerate(matrices):
        distance[pair, : matrix.shape[0], : matrix.shape[1]] = matrix
    cost = np.full((len(matrices), height + 1, width + 1), np.inf)
    length = np.zeros((len(matrices), height + 1, width + 1))
    cost[:, 0, 0] = 0.0
    # Cell (i, j) of the distances is (i + 1, j + 1) here; row and column 0 are the border.
    for diagonal in range(height + width - 1):
        i = np.arange(max(0, diagonal - width + 1), min(diagonal, height - 1) + 1)
        j = diagonal - i
        predecessors = np.stack([cost[:, i, j], cost[:, i, j + 1], cost[:, i + 1, j]])
        lengths = np.stack([length[:, i, j], length[:, i, j + 1], length[:, i + 1, j]])
        best = np.argmin(predecessors, axis=0)
        chosen = np.take_along_axis(predecessors, best[None], axis=0)[0]
        cost[:, i + 1, j + 1] = chosen + distance[:, i, j]
        length[:, i + 1, j + 1] = np.take_along_axis(lengths, best[None], axis=0)[0] + 1
    pairs = np.arange(len(matrices))
    return cost[pairs, rows, columns] / length[pairs, rows, columns]
