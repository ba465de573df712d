"""Latent points laid out for pictures: the manifold grid and straight walks between two codes."""

from statistics import NormalDist

import numpy as np

from .errors import EdgeVAEError


def manifold_grid(n: int, span: float) -> np.ndarray:
    """n*n points [n*n, 2], spaced by the standard normal's quantiles so each cell is equally likely.

    Row by row from the top: y falls down the rows and x rises along them, as in a plot.
    """
    if n < 2 or not 0.5 < span < 1:
        raise EdgeVAEError(f"the manifold needs n >= 2 and 0.5 < span < 1, got n={n}, span={span}")
    normal = NormalDist()
    axis = np.array([normal.inv_cdf(q) for q in np.linspace(1 - span, span, n)], dtype=np.float32)
    y, x = np.meshgrid(axis[::-1], axis, indexing="ij")
    return np.stack([x.ravel(), y.ravel()], axis=1)


def interpolation(start: np.ndarray, end: np.ndarray, steps: int) -> np.ndarray:
    """`steps` points [steps, latent] on the straight line from start to end, both included."""
    if steps < 2:
        raise EdgeVAEError(f"an interpolation needs at least 2 steps, got {steps}")
    weights = np.linspace(0, 1, steps, dtype=np.float32)[:, None]
    return (1 - weights) * start + weights * end
