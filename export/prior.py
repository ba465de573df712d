"""The model's prior, as the export ships it: a Gaussian mixture in the metadata key `prior`.

A VampPrior run leaves its K learned pseudo-inputs in RUN_DIR/pseudo_inputs.npy; the exported encoder
(the very graph the runtime runs) turns them into the mixture's K components, equal weights. A run with
the N(0, I) prior ships it as one component. Format (runtime/prior.py reads it):
{"weights": [K], "means": [K][latent], "log_vars": [K][latent]}.
"""

from pathlib import Path

import numpy as np
from edgevae.runtime.errors import EdgeVAEError

from .parity import onnx_outputs

PSEUDO_INPUTS = "pseudo_inputs.npy"  # written by edgevae train (train/train_run.py)
DECIMALS = 6


def prior_of(run_dir: Path, encoder_onnx, latent_dim: int) -> dict:
    path = run_dir / PSEUDO_INPUTS
    if not path.is_file():
        return {"weights": [1.0], "means": [[0.0] * latent_dim], "log_vars": [[0.0] * latent_dim]}
    try:
        pseudo_inputs = np.load(path, allow_pickle=False).astype(np.float32)
    except (OSError, ValueError) as error:
        raise EdgeVAEError(f"cannot read {path}: {error}") from None
    if pseudo_inputs.ndim != 2 or pseudo_inputs.shape[1] != 28 * 28 or not len(pseudo_inputs):
        raise EdgeVAEError(
            f"{path} must hold pseudo-input images [K, 784], found {list(pseudo_inputs.shape)}"
        )
    components = onnx_outputs(encoder_onnx, {"image": pseudo_inputs})
    count = len(pseudo_inputs)
    return {
        "weights": [round(1 / count, 9)] * count,
        "means": np.round(components["z_mean"].astype(np.float64), DECIMALS).tolist(),
        "log_vars": np.round(components["z_log_var"].astype(np.float64), DECIMALS).tolist(),
    }
