"""Latent points laid out for pictures and for parity checks: the manifold grid, straight walks between
two codes, and the fixed sets on which exported models are compared (by the exporter, and on ARM)."""

import numpy as np

from .errors import EdgeVAEError
from .prior import Prior

GRID_SPAN = 4.0  # parity checks cover the latent space to +-4 standard deviations
PRIOR_SAMPLES = 10_000


def manifold_grid(n: int, span: float, prior: Prior | None = None) -> np.ndarray:
    """n*n points [n*n, 2], spaced by the quantiles of the prior's marginals (from 1 - span to span), so
    the grid spans where the prior puts its mass; for N(0, I) (the default) each cell is equally likely.

    Row by row from the top: y falls down the rows and x rises along them, as in a plot.
    """
    if n < 2 or not 0.5 < span < 1:
        raise EdgeVAEError(f"the manifold needs n >= 2 and 0.5 < span < 1, got n={n}, span={span}")
    quantiles = (prior or Prior.standard_normal(2)).quantiles(np.linspace(1 - span, span, n))
    y, x = np.meshgrid(quantiles[::-1, 1], quantiles[:, 0], indexing="ij")
    return np.stack([x.ravel(), y.ravel()], axis=1)


def interpolation(start: np.ndarray, end: np.ndarray, steps: int) -> np.ndarray:
    """`steps` points [steps, latent] on the straight line from start to end, both included."""
    if steps < 2:
        raise EdgeVAEError(f"an interpolation needs at least 2 steps, got {steps}")
    weights = np.linspace(0, 1, steps, dtype=np.float32)[:, None]
    return (1 - weights) * start + weights * end


def latent_grid(latent_dim: int, span: float = GRID_SPAN) -> np.ndarray:
    """A regular grid over [-span, span] in every latent dimension (up to ~2,000 points)."""
    points_per_axis = max(2, int(round(2000 ** (1 / latent_dim))))
    axis = np.linspace(-span, span, points_per_axis, dtype=np.float32)
    return np.stack(np.meshgrid(*[axis] * latent_dim, indexing="ij"), axis=-1).reshape(-1, latent_dim)


def prior_samples(latent_dim: int, count: int = PRIOR_SAMPLES, seed: int = 0) -> np.ndarray:
    """`count` draws from the standard normal prior; numpy's seeded generator gives the same on every CPU."""
    return np.random.default_rng(seed).standard_normal((count, latent_dim)).astype(np.float32)


def model_prior_samples(prior: Prior, count: int = PRIOR_SAMPLES, seed: int = 0) -> np.ndarray:
    """`count` draws from a model's own prior, seeded."""
    return prior.sample(count, np.random.default_rng(seed), np.random.default_rng([seed, 1]))
