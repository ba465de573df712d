"""The model's own prior over the latent space: a Gaussian mixture, read from the export's metadata.

Format 2 exports store it as JSON under the metadata key `prior`:
{"weights": [K], "means": [K][latent], "log_vars": [K][latent]}: component k is N(means[k],
diag(exp(log_vars[k]))), chosen with probability weights[k]. A VampPrior run exports its K encoded
pseudo-inputs with equal weights; N(0, I), the seed's prior and every format-1 model's, is one component.
"""

import json
import math
from dataclasses import dataclass

import numpy as np

from .errors import EdgeVAEError

WEIGHT_TOLERANCE = 1e-4  # the weights are stored rounded; they must still sum to 1 within this
QUANTILE_STEPS = 60  # bisection steps for a mixture quantile: far below float32's resolution


@dataclass(frozen=True)
class Prior:
    weights: np.ndarray  # [K] float64, summing to 1
    means: np.ndarray  # [K, latent] float32
    log_vars: np.ndarray  # [K, latent] float32

    @classmethod
    def standard_normal(cls, latent_dim: int) -> "Prior":
        return cls(np.ones(1), np.zeros((1, latent_dim), np.float32), np.zeros((1, latent_dim), np.float32))

    @property
    def is_standard_normal(self) -> bool:
        return len(self.weights) == 1 and not self.means.any() and not self.log_vars.any()

    @property
    def scales(self) -> np.ndarray:
        return np.exp(0.5 * self.log_vars)

    def sample(self, n: int, rng: np.random.Generator, component_rng: np.random.Generator) -> np.ndarray:
        """n latents [n, latent] float32: a component drawn by weight (from component_rng), then a point
        from it (normals from rng). Two streams, so that drawing in chunks draws the same latents; N(0, I)
        draws the normals alone, as format-1 models always did, so their seeds keep their samples."""
        normals = rng.standard_normal((n, self.means.shape[1]), dtype=np.float32)
        if self.is_standard_normal:
            return normals
        chosen = component_rng.choice(len(self.weights), size=n, p=self.weights)
        return self.means[chosen] + self.scales[chosen] * normals

    def quantiles(self, probabilities) -> np.ndarray:
        """[len(probabilities), latent]: each latent dimension's marginal quantiles."""
        probabilities = np.asarray(probabilities, np.float64)
        from statistics import NormalDist  # only the manifold needs it: kept off the CLI's start-up

        normal = NormalDist()
        if self.is_standard_normal:
            axis = np.array([normal.inv_cdf(p) for p in probabilities])
            return np.repeat(axis[:, None], self.means.shape[1], axis=1).astype(np.float32)
        means, scales = self.means.astype(np.float64), self.scales.astype(np.float64)
        low = np.broadcast_to((means - 10 * scales).min(axis=0), (len(probabilities), means.shape[1])).copy()
        high = np.broadcast_to((means + 10 * scales).max(axis=0), low.shape).copy()
        erf = np.vectorize(math.erf)
        for _ in range(QUANTILE_STEPS):
            middle = (low + high) / 2
            standardized = (middle[:, None, :] - means[None]) / (scales[None] * math.sqrt(2))
            cdf = (self.weights[None, :, None] * 0.5 * (1 + erf(standardized))).sum(axis=1)
            below = cdf < probabilities[:, None]
            low, high = np.where(below, middle, low), np.where(below, high, middle)
        return ((low + high) / 2).astype(np.float32)


def parse_prior(text: str | None, latent_dim: int, where) -> Prior:
    """The `prior` metadata as a checked Prior; N(0, I) when the model has none (format 1)."""
    if text is None:
        return Prior.standard_normal(latent_dim)
    try:
        fields = json.loads(text)
        weights = np.asarray(fields["weights"], np.float64)
        means = np.asarray(fields["means"], np.float32)
        log_vars = np.asarray(fields["log_vars"], np.float32)
        if weights.ndim != 1 or not len(weights):
            raise ValueError("weights must be a non-empty list of numbers")
        if means.shape != (len(weights), latent_dim) or log_vars.shape != means.shape:
            raise ValueError(f"means and log_vars must be {len(weights)} lists of {latent_dim} numbers")
        if not (np.isfinite(weights).all() and np.isfinite(means).all() and np.isfinite(log_vars).all()):
            raise ValueError("it holds a number that is not finite")
        if (weights < 0).any() or abs(weights.sum() - 1) > WEIGHT_TOLERANCE:
            raise ValueError("weights must be non-negative and sum to 1")
    except (ValueError, TypeError, KeyError) as error:
        reason = f"missing {error}" if isinstance(error, KeyError) else str(error)
        raise EdgeVAEError(f"{where} has unreadable prior metadata: {reason}") from None
    return Prior(weights / weights.sum(), means, log_vars)
