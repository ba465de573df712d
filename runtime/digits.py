"""Ask for a digit: the per-digit latent regions an export carries, read and sampled.

The exporter stores them as JSON under the metadata key `digit_anchors`: ten objects in digit order,
{"digit": d, "anchor": [...], "points": [[...], ...], "scale": s}. A sample of digit d is one of its
`points`, chosen uniformly, plus Gaussian jitter of standard deviation `scale` in every latent dimension;
the `anchor` is the one point that stands for the digit.
"""

import json

import numpy as np

from .checks import is_finite_number, whole_number
from .errors import EdgeVAEError

DIGITS = range(10)
NO_ANCHORS = (
    "this model carries no digit anchors (exported without training labels, or by an older edgevae):"
    " re-export it from its run folder to ask for a digit"
)


def parse_digit_anchors(text: str | None, latent_dim: int, where) -> list[dict] | None:
    """The `digit_anchors` metadata as a checked list of ten regions; None when the model has none."""
    if text is None:
        return None
    try:
        regions = json.loads(text)
        if not isinstance(regions, list) or [region.get("digit") for region in regions] != list(DIGITS):
            raise ValueError("not ten regions for the digits 0-9 in order")
        for region in regions:
            check_region(region, latent_dim)
    except (ValueError, TypeError, AttributeError) as error:
        raise EdgeVAEError(f"{where} has unreadable digit_anchors metadata: {error}") from None
    return regions


def check_region(region: dict, latent_dim: int) -> None:
    points = region.get("points")
    if not isinstance(points, list) or not points:
        raise ValueError(f"digit {region['digit']} has no points")
    for point in [region.get("anchor"), *points]:
        if (
            not isinstance(point, list)
            or len(point) != latent_dim
            or not all(is_finite_number(v) for v in point)
        ):
            raise ValueError(f"digit {region['digit']} has a point that is not {latent_dim} finite numbers")
    if not is_finite_number(region.get("scale")) or region["scale"] < 0:
        raise ValueError(f"digit {region['digit']} has no finite, non-negative scale")


def check_digit(digit) -> int:
    return whole_number(digit, "the digit", 0, 9)


def digit_latents(region: dict, n: int, rng: np.random.Generator) -> np.ndarray:
    """n latents [n, latent] of one digit: random prototype points plus Gaussian jitter of `scale`."""
    points = np.asarray(region["points"], dtype=np.float32)
    chosen = points[rng.integers(len(points), size=n)]
    return chosen + np.float32(region["scale"]) * rng.standard_normal(chosen.shape, dtype=np.float32)
