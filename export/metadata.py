"""What every exported file says about itself (metadata_props) and the folder's manifest.json."""

import json
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

import onnx
from edgevae.runtime.model_files import file_kind
from edgevae.runtime.model_info import size_and_sha256

from .latent_map import FILE_NAME as LATENT_MAP_FILE

# Of the ONNX contract in the README; stored in metadata_props as "2". Format 2 added the `prior`
# metadata and the encoder's optional digit_probabilities output.
FORMAT_VERSION = 2
PIXEL_SCALE = "1/255"  # image inputs and outputs are pixel value / 255, white digit on black
# The figures from metrics.json worth carrying into the model files.
METRIC_KEYS = (
    "test_negative_elbo_nats",
    "test_reconstruction_nats",
    "test_kl_nats",
    "test_bce_per_pixel",
    "test_seed_objective",
    "test_log_likelihood_nats",
    "log_likelihood_samples",
    "latent_knn_accuracy",
    "latent_knn_neighbours",
    "digit_head_accuracy",
    "reconstruction_digit_kept",
    "reference_classifier_accuracy",
    "prior",
    "binarized",
    "objective",
    "epochs",
    "best_epoch",
)


def summary(latent_dim: int, opset: int, run_metrics: dict, parity: dict) -> dict:
    """The facts shared by all files of one export."""
    return {
        "edgevae_version": version("edgevae"),
        "format_version": FORMAT_VERSION,
        "latent_dim": latent_dim,
        "image_shape": [28, 28],
        "pixel_scale": PIXEL_SCALE,
        "opset": opset,
        "metrics": {key: run_metrics[key] for key in METRIC_KEYS if key in run_metrics},
        "data_source": run_metrics.get("data_source", "unknown"),
        "parity": parity,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def stamp(model: onnx.ModelProto, facts: dict) -> onnx.ModelProto:
    """Replace metadata_props with `facts`; non-string values are stored as JSON."""
    del model.metadata_props[:]
    for key, value in facts.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value if isinstance(value, str) else json.dumps(value)
    model.producer_name = "edgevae"
    model.producer_version = facts["edgevae_version"]
    return model


def manifest(folder: Path, shared: dict, int8_error: dict | None, ort_parity: dict | None = None) -> dict:
    files = {}
    for path in sorted([*folder.glob("*.onnx"), *folder.glob("*.ort")]):
        role, precision = file_kind(path.name)
        files[path.name] = {"role": role, "precision": precision, **size_and_sha256(path)}
    latent_map = folder / LATENT_MAP_FILE
    if latent_map.is_file():
        files[latent_map.name] = {"role": "latent_map", **size_and_sha256(latent_map)}
    return {
        **shared,
        "files": files,
        **({"latent_map": LATENT_MAP_FILE} if latent_map.is_file() else {}),
        **({"int8_error": int8_error} if int8_error else {}),
        **({"ort_parity": ort_parity} if ort_parity else {}),
    }
