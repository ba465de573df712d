"""Open one onnxruntime session for a model file and check it plays the expected role."""

import json
from dataclasses import dataclass
from pathlib import Path

import onnxruntime

from .errors import EdgeVAEError
from .model_files import model_file, read_manifest
from .ort_quiet import quiet_schema_noise

# The exporter's contract: tensor names for each role.
SIGNATURES = {
    "encoder": (["image"], ["z_mean", "z_log_var"]),
    "generator": (["z"], ["image"]),
}


@dataclass(frozen=True)
class ModelConfig:
    """What the runtime needs to know about a loaded model, read once at load time."""

    path: Path
    role: str
    latent_dim: int
    image_shape: tuple[int, int]
    input_name: str
    output_names: list[str]
    metadata: dict[str, str]


def load_model(model, role, threads=None, int8=False, providers=None):
    """(session, config) for `role` from a folder, an .onnx path, or the bundled model (None)."""
    path = model_file(model, role, int8)
    session = open_session(path, threads, providers)
    return session, read_config(session, path, role)


def open_session(path: Path, threads=None, providers=None) -> onnxruntime.InferenceSession:
    if path.stat().st_size == 0:
        raise EdgeVAEError(f"cannot load {path}: the file is empty")
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3  # errors reach the caller as exceptions; keep stderr clean
    if threads:
        options.intra_op_num_threads = threads
    try:
        with quiet_schema_noise():
            return onnxruntime.InferenceSession(
                str(path), sess_options=options, providers=providers or ["CPUExecutionProvider"]
            )
    except Exception as error:  # onnxruntime's pybind errors share no useful base class
        reason = str(error).rpartition("failed:")[2].strip() or type(error).__name__
        raise EdgeVAEError(f"cannot load {path}: not a valid ONNX model{size_hint(path)} ({reason})") from None


def size_hint(path: Path) -> str:
    """Say so when the manifest shows the file was cut short or changed."""
    try:
        expected = (read_manifest(path.parent) or {})["files"][path.name]["bytes"]
    except (EdgeVAEError, KeyError, TypeError):
        return ""
    actual = path.stat().st_size
    return "" if actual == expected else f", truncated or changed: {actual} bytes, manifest says {expected}"


def read_config(session, path: Path, role: str) -> ModelConfig:
    metadata = session.get_modelmeta().custom_metadata_map
    inputs, outputs = session.get_inputs(), session.get_outputs()
    input_names, output_names = [i.name for i in inputs], [o.name for o in outputs]
    found_role = metadata.get("role") or next(
        (name for name, (ins, outs) in SIGNATURES.items() if ins == input_names and set(outs) <= set(output_names)),
        "unknown",
    )
    if found_role != role:
        raise EdgeVAEError(f"{path} is {article(found_role)} model, but {article(role)} model is needed here")
    expected_inputs, expected_outputs = SIGNATURES[role]
    if input_names != expected_inputs or not set(expected_outputs) <= set(output_names):
        raise EdgeVAEError(
            f"{path} does not match the {role} contract: expected inputs {expected_inputs} and outputs "
            f"{expected_outputs}, found {input_names} and {output_names}"
        )
    image_shape = parse_image_shape(metadata.get("image_shape"), path)
    latent_tensor = inputs[0] if role == "generator" else outputs[output_names.index("z_mean")]
    latent_dim = latent_tensor.shape[1] if isinstance(latent_tensor.shape[1], int) else metadata.get("latent_dim")
    try:
        latent_dim = int(latent_dim)
    except (TypeError, ValueError):
        raise EdgeVAEError(f"{path} does not say its latent size (latent_dim metadata)") from None
    return ModelConfig(path, role, latent_dim, image_shape, expected_inputs[0], expected_outputs, metadata)


def parse_image_shape(text: str | None, path: Path) -> tuple[int, int]:
    if text is None:
        return (28, 28)  # files from before the metadata existed are MNIST-sized
    try:
        height, width = (int(size) for size in json.loads(text))
    except (ValueError, TypeError):
        raise EdgeVAEError(f"{path} has unreadable image_shape metadata: {text!r}") from None
    return (height, width)


def article(role: str) -> str:
    return f"an {role}" if role[:1] in "aeiou" else f"a {role}"
