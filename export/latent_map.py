"""latent_map.json: where the test set's digits sit in the latent space, written beside the models.

The notebook's latent scatter, as data: a seeded subsample of the test images' latent means with
their labels. The web page draws it under the pointer; it is small enough to ship (about 40 KB).
"""

import json

import numpy as np

from .parity import onnx_outputs

FILE_NAME = "latent_map.json"
POINTS = 2000
SEED = 0
DECIMALS = 4


def latent_map(
    encoder_onnx, test_images: np.ndarray, test_labels: np.ndarray, points: int = POINTS, seed: int = SEED
) -> dict:
    """{"z": [[...], ...], "digit": [...]} for `points` test images drawn without replacement by `seed`.

    `encoder_onnx` is the exported encoder (a ModelProto or a path), so the map shows exactly what
    the runtime computes; `test_images` are model inputs [n, 784] in [0, 1].
    """
    chosen = np.random.default_rng(seed).choice(
        len(test_images), size=min(points, len(test_images)), replace=False
    )
    z_mean = onnx_outputs(encoder_onnx, {"image": test_images[chosen]})["z_mean"]
    return {
        "description": f"z_mean of {len(chosen)} MNIST test images (seeded subsample) and their digits",
        "seed": seed,
        "z": np.round(z_mean.astype(np.float64), DECIMALS).tolist(),
        "digit": np.asarray(test_labels)[chosen].astype(int).tolist(),
    }


def latent_map_text(encoder_onnx, test_images: np.ndarray, test_labels: np.ndarray) -> str:
    return json.dumps(latent_map(encoder_onnx, test_images, test_labels), separators=(",", ":")) + "\n"
