"""Open one onnxruntime session for a model file, check it plays the expected role,
and hold it (LoadedModel)."""

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np
import onnxruntime

from .checks import whole_number
from .errors import EdgeVAEError, onnxruntime_errors, reason, reraised
from .limits import MAX_THREADS
from .model_files import model_file, read_manifest
from .ort_quiet import quiet_schema_noise

# The exporter's contract: tensor names for each role. Every one is float32 [batch, size], the batch
# dynamic and the size fixed: 784 (height x width) for `image`, the latent size for the others.
SIGNATURES = {
    "encoder": (["image"], ["z_mean", "z_log_var"]),
    "generator": (["z"], ["image"]),
}
# Outputs a role may add (format 2): the encoder's digit head, float32 [batch, 10].
OPTIONAL_OUTPUTS = {"encoder": ["digit_probabilities"], "generator": []}
OUTPUT_SIZES = {"digit_probabilities": 10}  # fixed sizes; image and latent tensors follow the model
LATENT_TENSORS = ("z", "z_mean", "z_log_var")
FORMAT_VERSIONS = ("1", "2")  # of the ONNX contract that this runtime reads


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


@dataclass
class LoadedModel:
    """One exported model file in one onnxruntime session, built once and reused for every call.

    `model` is an exported model folder, an .onnx or .ort file, or None for the bundled model.
    Encoder and Generator add what their role does with it.
    """

    role: ClassVar[str]
    model: str | Path | None = None
    threads: int | None = None
    int8: bool = False
    providers: list[str] | None = None
    session: onnxruntime.InferenceSession = field(init=False, repr=False)
    config: ModelConfig = field(init=False)

    def __post_init__(self):
        self.session, self.config = load_model(self.model, self.role, self.threads, self.int8, self.providers)


def load_model(model, role, threads=None, int8=False, providers=None):
    """(session, config) for `role` from a folder, an .onnx path, or the bundled model (None)."""
    path = model_file(model, role, int8)
    check_threads(threads)
    session = open_session(path, threads, providers)
    config = read_config(session, path, role)
    if model is None or Path(model).suffix not in (".onnx", ".ort"):  # a folder: its manifest too
        try:
            manifest = read_manifest(path.parent)
        except EdgeVAEError:  # an unreadable manifest does not stop the model loading (as in size_hint)
            manifest = None
        check_manifest(manifest, config)
    return session, config


def check_manifest(manifest: dict | None, config: ModelConfig) -> None:
    """A folder's manifest.json must agree with the model's tensors about sizes (web/edgevae.mjs checks
    the same): a disagreement is refused, never trusted over the tensors."""
    actual = {"latent_dim": config.latent_dim, "image_shape": list(config.image_shape)}
    for key, value in actual.items():
        if manifest is not None and key in manifest and manifest[key] != value:
            raise EdgeVAEError(
                f"{config.path.parent / 'manifest.json'} says {key} is {compact_json(manifest[key])[:80]},"
                f" but the tensors of {config.path} make it {compact_json(value)}"
            )


def open_session(path: Path, threads=None, providers=None) -> onnxruntime.InferenceSession:
    if path.stat().st_size == 0:
        raise EdgeVAEError(f"cannot load {path}: the file is empty")
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3  # errors reach the caller as exceptions; keep stderr clean
    if threads:
        options.intra_op_num_threads = threads

    def invalid(error) -> str:  # only on failure: size_hint reads the manifest
        detail = reason(error).rpartition("failed:")[2].strip() or type(error).__name__
        return f"cannot load {path}: not a valid ONNX model{size_hint(path)} ({detail})"

    with reraised(invalid, *onnxruntime_errors()), quiet_schema_noise():
        return onnxruntime.InferenceSession(
            str(path), sess_options=options, providers=providers or ["CPUExecutionProvider"]
        )


def size_hint(path: Path) -> str:
    """Say so when the manifest shows the file was cut short or changed."""
    try:
        expected = (read_manifest(path.parent) or {})["files"][path.name]["bytes"]
    except (EdgeVAEError, KeyError, TypeError):
        return ""
    actual = path.stat().st_size
    return "" if actual == expected else f", truncated or changed: {actual} bytes, manifest says {expected}"


def check_threads(threads):
    if threads is not None:
        whole_number(threads, "threads", 1, MAX_THREADS)


def read_config(session, path: Path, role: str) -> ModelConfig:
    metadata = session.get_modelmeta().custom_metadata_map
    check_format_version(metadata.get("format_version"), path)
    inputs, outputs = session.get_inputs(), session.get_outputs()
    input_names, output_names = [i.name for i in inputs], [o.name for o in outputs]
    found_role = model_role(metadata.get("role"), input_names, output_names, path)
    if found_role != role:
        raise EdgeVAEError(f"{path} is {article(found_role)} model, but {article(role)} model is needed here")
    expected_inputs, expected_outputs = SIGNATURES[role]
    if input_names != expected_inputs or not set(expected_outputs) <= set(output_names):
        raise EdgeVAEError(
            f"{path} does not match the {role} contract: expected inputs {expected_inputs} and outputs "
            f"{expected_outputs}, found {input_names} and {output_names}"
        )
    expected_outputs = expected_outputs + [name for name in OPTIONAL_OUTPUTS[role] if name in output_names]
    contract = [tensor for tensor in [*inputs, *outputs] if tensor.name in expected_inputs + expected_outputs]
    sizes = {tensor.name: tensor_size(tensor, path, role) for tensor in contract}
    for name, size in OUTPUT_SIZES.items():
        if name in sizes and sizes[name] != size:
            raise EdgeVAEError(f"{path} does not match the {role} contract: {name} must hold {size} values")
    latent_dim = latent_size(sizes, metadata, path, role)
    image_shape = parse_image_shape(metadata.get("image_shape"), path, sizes["image"])
    return ModelConfig(path, role, latent_dim, image_shape, expected_inputs[0], expected_outputs, metadata)


def model_role(claimed, input_names, output_names, path: Path) -> str:
    """The role whose tensor names the model has; the role metadata only where the tensors name none, and
    refused where it disagrees with them (the tensors are the truth)."""
    found = next(
        (
            name
            for name, (ins, outs) in SIGNATURES.items()
            if ins == input_names and set(outs) <= set(output_names)
        ),
        None,
    )
    if found is None:
        return claimed or "unknown"
    if claimed and claimed != found:
        raise EdgeVAEError(
            f"{path}: role metadata says it is {article(claimed)} model,"
            f" but its tensors make it {article(found)} model"
        )
    return found


def latent_size(sizes: dict, metadata: dict, path: Path, role: str) -> int:
    """The one size that every latent tensor and the latent_dim metadata agree on."""
    latent_sizes = {sizes[name] for name in LATENT_TENSORS if name in sizes}
    if len(latent_sizes) != 1:
        raise EdgeVAEError(f"{path} does not match the {role} contract: z_mean and z_log_var differ in size")
    (latent_dim,) = latent_sizes
    if metadata.get("latent_dim", str(latent_dim)).strip() != str(latent_dim):
        raise EdgeVAEError(
            f"{path} has latent_dim metadata {metadata['latent_dim']!r},"
            f" but its tensors hold {latent_dim} values"
        )
    return latent_dim


def check_format_version(text: str | None, path: Path) -> None:
    """Files from before the metadata existed have none and are format 1; unknown versions are refused."""
    if text is not None and text.strip() not in FORMAT_VERSIONS:
        raise EdgeVAEError(
            f"{path} has format_version {text!r}, which this edgevae cannot read (it reads"
            f" {', '.join(FORMAT_VERSIONS)}): upgrade edgevae or re-export the model"
        )


def tensor_size(tensor, path: Path, role: str) -> int:
    """The fixed size of a float32 [batch, size] tensor, as the contract wants every one of them."""
    shape = tensor.shape
    if not (
        tensor.type == "tensor(float)"
        and len(shape) == 2
        and not isinstance(shape[0], int)
        and isinstance(shape[1], int)
        and shape[1] > 0
    ):
        shown = [size if isinstance(size, int) else size or "?" for size in shape]
        raise EdgeVAEError(
            f"{path} does not match the {role} contract: {tensor.name} must be float32 [batch, size]"
            " with a dynamic batch and a fixed size,"
            f" found {tensor.type.removeprefix('tensor(').rstrip(')')} {shown}"
        )
    return shape[1]


def parse_image_shape(text: str | None, path: Path, size: int) -> tuple[int, int]:
    """[height, width] from the metadata, checked against the image tensor's size."""
    if text is None:
        if size != 28 * 28:
            raise EdgeVAEError(
                f"{path} has no image_shape metadata, and its {size}-pixel images are not 28x28"
            )
        return (28, 28)  # files from before the metadata existed are MNIST-sized
    try:
        height, width = (int(value) for value in json.loads(text))
    except (ValueError, TypeError):
        raise EdgeVAEError(f"{path} has unreadable image_shape metadata: {text!r}") from None
    if height < 1 or width < 1 or height * width != size:
        raise EdgeVAEError(
            f"{path} has image_shape metadata {text}, but its image tensor holds {size} pixels"
        )
    return (height, width)


def infer(session, config: ModelConfig, value: np.ndarray) -> list[np.ndarray]:
    """The outputs of one run, each checked to be float32 [n, size] as the model declared."""
    with reraised(f"onnxruntime could not run {config.path} on {len(value):,} inputs", *onnxruntime_errors()):
        results = session.run(config.output_names, {config.input_name: value})
    for name, result in zip(config.output_names, results, strict=True):
        size = config.image_shape[0] * config.image_shape[1] if name == "image" else config.latent_dim
        size = OUTPUT_SIZES.get(name, size)
        if result.dtype != np.float32 or result.shape != (len(value), size):
            raise EdgeVAEError(
                f"{config.path} returned {name} as {result.dtype} {list(result.shape)} for {len(value)}"
                f" inputs, not the float32 {[len(value), size]} it declares"
            )
    return results


def compact_json(value) -> str:
    """JSON as JavaScript's JSON.stringify writes it, so that both runtimes' messages read the same."""
    return json.dumps(value, separators=(",", ":"))


def article(role: str) -> str:
    return f"an {role}" if role[:1] in "aeiou" else f"a {role}"
