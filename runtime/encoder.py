"""Turn digit images into latent distributions with the exported encoder."""

import numpy as np

from .errors import EdgeVAEError
from .session import LoadedModel, infer

NO_DIGIT_HEAD = (
    "{path} has no digit head (a format-1 model, or one trained with --digit-weight 0): it cannot name digits"
)


class Encoder(LoadedModel):
    """The exported encoder: images into latent distributions,
    through one onnxruntime session reused for every call.

    `Encoder()` loads the bundled model; `Encoder("my-model/")` an exported folder or file.
    """

    role = "encoder"

    def encode(self, images) -> tuple[np.ndarray, np.ndarray]:
        """(z_mean, z_log_var), each float32 [n, latent], for images shaped [28, 28], [n, 28, 28] or [n, 784].

        Float images hold pixels in [0, 1]; integer (uint8) images hold 0-255.
        """
        z_mean, z_log_var, *_ = self.run(images)
        return z_mean, z_log_var

    @property
    def knows_digits(self) -> bool:
        """Whether the model has a digit head (format 2 models trained with labels)."""
        return "digit_probabilities" in self.config.output_names

    def digit_probabilities(self, images) -> np.ndarray:
        """The digit head's probabilities float32 [n, 10] for the digits 0-9, for images as `encode` takes."""
        if not self.knows_digits:
            raise EdgeVAEError(NO_DIGIT_HEAD.format(path=self.config.path))
        return self.run(images)[2]

    def classify(self, images) -> tuple[np.ndarray, np.ndarray]:
        """(digit int64 [n], its probability float32 [n]): the digit the model reads in each image."""
        return self.classify_probabilities(self.digit_probabilities(images))

    @staticmethod
    def classify_probabilities(probabilities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(digit, its probability) per row of digit_probabilities [n, 10]."""
        digits = probabilities.argmax(axis=1)
        return digits, np.take_along_axis(probabilities, digits[:, None], axis=1)[:, 0]

    def encode_and_classify(self, images) -> tuple[np.ndarray, np.ndarray, tuple | None]:
        """(z_mean, z_log_var, (digit, probability) or None without a digit head), from one run."""
        z_mean, z_log_var, *probabilities = self.run(images)
        return z_mean, z_log_var, self.classify_probabilities(probabilities[0]) if probabilities else None

    def run(self, images) -> list[np.ndarray]:
        """The model's outputs in contract order: z_mean, z_log_var(, digit_probabilities)."""
        return infer(self.session, self.config, as_pixels(images, self.config.image_shape))


def as_pixels(images, image_shape: tuple[int, int]) -> np.ndarray:
    """A float32 [n, height*width] batch in [0, 1], scaled the way the model was trained (value/255)."""
    images = np.asarray(images)
    height, width = image_shape
    size = height * width
    if images.shape in ((height, width), (size,)):
        images = images.reshape(1, size)
    elif images.ndim == 3 and images.shape[1:] == (height, width):
        images = images.reshape(len(images), size)
    elif not (images.ndim == 2 and images.shape[1] == size):
        raise EdgeVAEError(
            f"images must be shaped [{height}, {width}], [n, {height}, {width}] or [n, {size}],"
            f" got {list(images.shape)}"
        )
    if images.dtype.kind in "iu":
        if images.size and (images.min() < 0 or images.max() > 255):
            raise EdgeVAEError("integer images must hold pixel values 0-255")
        return images.astype(np.float32) / np.float32(255)
    if images.dtype.kind not in "fb":
        raise EdgeVAEError(f"images must be numbers, got dtype {images.dtype}")
    pixels = np.ascontiguousarray(images, dtype=np.float32)
    if not np.isfinite(pixels).all():
        raise EdgeVAEError("images contain NaN or infinite pixel values")
    if pixels.size and (pixels.min() < 0 or pixels.max() > 1):
        raise EdgeVAEError(
            f"float images must hold pixels in [0, 1], got {pixels.min():g} to {pixels.max():g}"
            " (divide 0-255 values by 255, or pass uint8)"
        )
    return pixels
