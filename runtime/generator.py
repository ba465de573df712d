"""Turn latent points into digit images with the exported generator."""

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import onnxruntime

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
        # The sigmoid can land a hair outside [0, 1] (-6e-8 with Debian's armhf onnxruntime).
        np.clip(images, 0, 1, out=images)
        return images.reshape(len(z), *self.config.image_shape)

    def sample(self, n: int, seed: int | None = None) -> np.ndarray:
        """n images from latents drawn from N(0, I); the same seed gives the same images."""
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
            raise EdgeVAEError(f"the number of samples must be a positive whole number, got {n!r}")
        z = np.random.default_rng(seed).standard_normal((n, self.config.latent_dim), dtype=np.float32)
        return self.generate(z)


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
