"""Turn latent points into digit images with the exported generator."""

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import onnxruntime

from .digits import DIGITS, NO_ANCHORS, check_digit, digit_latents, parse_digit_anchors
from .errors import EdgeVAEError
from .session import ModelConfig, load_model


@dataclass
class Generator:
    """A loaded generator: one onnxruntime session, built once and reused for every call.

    `model` is an exported model folder, an .onnx file, or None for the bundled model.
    """

    model: str | Path | None = None
    threads: int | None = None
    int8: bool = False
    providers: list[str] | None = None
    session: onnxruntime.InferenceSession = field(init=False, repr=False)
    config: ModelConfig = field(init=False)

    def __post_init__(self):
        self.session, self.config = load_model(self.model, "generator", self.threads, self.int8, self.providers)

    def generate(self, z) -> np.ndarray:
        """Images float32 [n, 28, 28] in [0, 1] for latents shaped [latent] or [n, latent]."""
        z = as_latents(z, self.config.latent_dim)
        (images,) = self.session.run(self.config.output_names, {self.config.input_name: z})
        return images.reshape(len(z), *self.config.image_shape)

    def sample(self, n: int, seed: int | None = None, digit: int | None = None) -> np.ndarray:
        """n images from latents drawn from N(0, I), or with `digit` from that digit's region (see
        `digit_anchors`); the same seed gives the same images."""
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
            raise EdgeVAEError(f"the number of samples must be a positive whole number, got {n!r}")
        rng = np.random.default_rng(seed)
        if digit is None:
            return self.generate(rng.standard_normal((n, self.config.latent_dim), dtype=np.float32))
        return self.generate(digit_latents(self.digit_region(digit), n, rng))

    def digits(self, n: int | None = None, seed: int | None = None) -> np.ndarray:
        """The digits 0-9 in order: one image per anchor [10, 28, 28], or with n, `sample(n, seed, digit)`
        for each digit [10 * n, 28, 28]."""
        if n is None:
            return self.generate([self.digit_region(digit)["anchor"] for digit in DIGITS])
        return np.concatenate([self.sample(n, seed=seed, digit=digit) for digit in DIGITS])

    @cached_property
    def digit_anchors(self) -> list[dict] | None:
        """Each digit's latent region as the export found it, from the training set's codes and labels:
        [{"digit": d, "anchor": [...], "points": [[...], ...], "scale": s}, ...] for d = 0-9. The anchor
        decodes to the digit; a sample is a random point plus N(0, scale^2) jitter. None when the model
        was exported without labels."""
        metadata = self.config.metadata.get("digit_anchors")
        return parse_digit_anchors(metadata, self.config.latent_dim, self.config.path)

    def digit_region(self, digit: int) -> dict:
        digit = check_digit(digit)
        if self.digit_anchors is None:
            raise EdgeVAEError(NO_ANCHORS)
        return self.digit_anchors[digit]


def as_latents(z, latent_dim: int) -> np.ndarray:
    """A C-contiguous float32 [n, latent_dim] array; copies only when the input is not one already."""
    try:
        z = np.ascontiguousarray(z, dtype=np.float32)
    except (TypeError, ValueError):
        raise EdgeVAEError("latents must be numbers shaped [latent] or [n, latent]") from None
    if z.ndim == 1:
        z = z.reshape(1, -1)
    if z.ndim != 2 or z.shape[1] != latent_dim:
        raise EdgeVAEError(
            f"this model's latents have {latent_dim} values, got an array shaped {list(z.shape)}"
            " (expected [latent] or [n, latent])"
        )
    if not np.isfinite(z).all():
        raise EdgeVAEError("latents must be finite numbers, got NaN or infinity")
    return z
