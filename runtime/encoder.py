"""Turn digit images into latent distributions with the exported encoder."""

import numpy as np

from .checks import real_array, unit_pixels
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


def typed(images) -> bool:
    """Whether `images` is a numpy array or value, or a list (of lists) of them."""
    if isinstance(images, (list, tuple)):
        return bool(images) and all(typed(item) for item in images)
    return isinstance(images, (np.ndarray, np.generic))


def as_pixels(images, image_shape: tuple[int, int]) -> np.ndarray:
    """A float32 [n, height*width] batch in [0, 1], scaled the way the model was trained (value/255)."""
    # Plain lists hold numbers as JSON and JavaScript do, so whole numbers in them are floats in [0, 1]
    # too; 0-255 needs an integer array (numpy, or a list of them), as in web/edgevae.mjs.
    plain = isinstance(images, (list, tuple)) and not typed(images)
    images = real_array(images, "images", np.float64) if plain else np.asarray(images)
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
    return unit_pixels(images)
