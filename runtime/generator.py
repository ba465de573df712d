"""Turn latent points into digit images with the exported generator."""

from functools import cached_property

import numpy as np

from .checks import real_array, whole_number
from .digits import DIGITS, NO_ANCHORS, check_digit, digit_latents, parse_digit_anchors
from .errors import EdgeVAEError, reraised
from .limits import CHUNK, check_count, check_memory
from .prior import Prior, parse_prior
from .session import LoadedModel, infer


class Generator(LoadedModel):
    """The exported generator: latent points into digit images,
    through one onnxruntime session reused for every call.

    `Generator()` loads the bundled model; `Generator("my-model/")` an exported folder or file.
    """

    role = "generator"

    def generate(self, z) -> np.ndarray:
        """Images float32 [n, 28, 28] in [0, 1] for latents shaped [latent] or [n, latent]."""
        z = as_latents(z, self.config.latent_dim)
        if len(z) <= CHUNK:
            (images,) = infer(self.session, self.config, z)
        else:
            self.check_images_fit(len(z))
            with reraised(f"cannot hold {len(z):,} images; generate them in batches"):
                images = np.empty((len(z), int(np.prod(self.config.image_shape))), dtype=np.float32)
            for start in range(0, len(z), CHUNK):
                images[start : start + CHUNK] = infer(self.session, self.config, z[start : start + CHUNK])[0]
        # The sigmoid can land a hair outside [0, 1] (-6e-8 with Debian's armhf onnxruntime).
        np.clip(images, 0, 1, out=images)
        return images.reshape(len(z), *self.config.image_shape)

    def sample(self, n: int, seed: int | None = None, digit: int | None = None) -> np.ndarray:
        """n images from latents drawn from the model's own prior (see `prior`), or with `digit` from that
        digit's region (see `digit_anchors`); the same seed gives the same images."""
        self.check_images_fit(check_count(n, "samples"))
        return self.generate(self.sample_latents(n, seed, digit))

    def check_images_fit(self, count: int):
        """Refuse `count` float32 images beyond this machine's memory. Checked before drawing latents
        too: they are the small part, but on 32-bit they alone can exhaust the address space first."""
        check_memory(count, 4 * int(np.prod(self.config.image_shape)))

    def sample_latents(self, n: int, seed: int | None = None, digit: int | None = None) -> np.ndarray:
        """The latents [n, latent] that `sample` decodes."""
        n = check_count(n, "samples")
        if digit is not None:
            return digit_latents(self.digit_region(digit), n, seeded_rng(seed))
        with reraised(f"cannot hold {n:,} samples; draw them in batches"):
            (z,) = random_latents(n, self.prior, seed, chunk=n)
        return z

    def digits(self, n: int | None = None, seed: int | None = None) -> np.ndarray:
        """The digits 0-9 in order: one image per anchor [10, 28, 28], or with n, `sample(n, seed, digit)`
        for each digit [10 * n, 28, 28]."""
        if n is not None:
            self.check_images_fit(check_count(n, "samples", per=len(DIGITS)) * len(DIGITS))
        return self.generate(self.digits_latents(n, seed))

    def digits_latents(self, n: int | None = None, seed: int | None = None) -> np.ndarray:
        """The latents that `digits` decodes."""
        if n is None:
            return np.array([self.digit_region(digit)["anchor"] for digit in DIGITS], dtype=np.float32)
        check_count(n, "samples", per=len(DIGITS))
        return np.concatenate([self.sample_latents(n, seed, digit) for digit in DIGITS])

    @cached_property
    def prior(self) -> Prior:
        """The prior the model was trained with: a Gaussian mixture (weights, means, log_vars);
        N(0, I) for models without `prior` metadata (format 1)."""
        return parse_prior(self.config.metadata.get("prior"), self.config.latent_dim, self.config.path)

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


def random_latents(n: int, prior: Prior, seed: int | None = None, chunk: int = CHUNK):
    """n latents from `prior`, as arrays of up to `chunk`; any chunking draws the same numbers for a seed."""
    rng = seeded_rng(seed)
    component_rng = np.random.default_rng(None if seed is None else [seed, 1])
    return (prior.sample(min(chunk, n - start), rng, component_rng) for start in range(0, n, chunk))


def seeded_rng(seed: int | None) -> np.random.Generator:
    return np.random.default_rng(None if seed is None else whole_number(seed, "the seed"))


def as_latents(z, latent_dim: int) -> np.ndarray:
    """A C-contiguous float32 [n, latent_dim] array; copies only when the input is not one already."""
    z = real_array(z, "latents")
    if z.ndim == 1:
        z = z.reshape(1, -1)
    if z.ndim != 2 or z.shape[1] != latent_dim:
        raise EdgeVAEError(
            f"this model's latents have {latent_dim} values, got an array shaped {list(z.shape)}"
            " (expected [latent] or [n, latent])"
        )
    return z
