"""Find a model's .onnx files: in an exported folder, at a direct path, or bundled with the package."""

from pathlib import Path

from .errors import EdgeVAEError

FILE_FIELDS = {"role": str, "precision": str, "bytes": int, "sha256": str}  # manifest.json's "files" entries


def file_name(role: str, int8: bool = False, suffix: str = ".onnx") -> str:
    """How an export names its model files: encoder.onnx, generator.int8.onnx, generator.ort, ..."""
    return f"{role}.int8{suffix}" if int8 else f"{role}{suffix}"


def file_kind(name: str) -> tuple[str, str]:
    """(role, precision) that a model file's name says: ("generator", "int8") for generator.int8.onnx."""
    role, _, rest = name.partition(".")
    return role, "int8" if rest.startswith("int8.") else "fp32"


def bundled_model_dir() -> Path:
    # Wheels install unzipped, so the package folder is a real directory (importlib.resources would add
    # tempfile and zipfile to every command's start-up).
    return Path(__file__).with_name("pretrained")


def model_file(model: str | Path | None, role: str, int8: bool = False) -> Path:
    """The .onnx file for `role` ("encoder" or "generator"); `model` is a folder, a file, or None.

    A direct path may also name an .ort file (`edgevae export --ort`): onnxruntime loads both formats.
    """
    if model is not None and Path(model).suffix in (".onnx", ".ort"):
        path = Path(model)
        if not path.is_file():
            raise EdgeVAEError(f"model file not found: {path}")
        return path
    folder = bundled_model_dir() if model is None else Path(model)
    where = "the bundled model" if model is None else str(folder)
    if not folder.is_dir():
        raise EdgeVAEError(f"model folder not found: {folder}")
    name = file_name(role, int8)
    path = folder / name
    if not path.is_file():
        hint = " (export with --quantize int8 to get it)" if int8 else ""
        raise EdgeVAEError(f"{name} not found in {where}{hint}")
    return path


def read_manifest(folder: Path) -> dict | None:
    """manifest.json as a dict, None when the folder has none."""
    from .checks import read_json_file

    path = folder / "manifest.json"
    if not path.is_file():
        return None
    manifest = read_json_file(path)
    if not isinstance(manifest, dict):
        raise EdgeVAEError(f"cannot read {path}: not a JSON object")
    files = manifest.get("files", {})
    if not isinstance(files, dict) or not all(
        isinstance(entry, dict) and is_file_name(name) for name, entry in files.items()
    ):
        raise EdgeVAEError(
            f'cannot read {path}: its "files" must map file names in the folder to their details'
        )
    for name, entry in files.items():
        for field, kind in FILE_FIELDS.items():
            if field in entry and (not isinstance(entry[field], kind) or isinstance(entry[field], bool)):
                raise EdgeVAEError(
                    f'cannot read {path}: "files" {name!r} has a {field} that is not a {kind.__name__}'
                )
    return manifest


def is_file_name(name) -> bool:
    """A file's own name, so that a manifest cannot point outside its folder."""
    return isinstance(name, str) and name == Path(name).name and name not in ("", ".", "..")


def read_latent_map(folder: Path) -> dict | None:
    """The latent map an export writes beside its models (manifest.json names it): {"z": latents,
    "digit": their labels}, the test digits' codes that the page draws under its plane. Checked field by
    field; its latents are as wide as manifest.json's latent_dim, which loading a model checks against
    its tensors. None when the manifest names none (web/edgevae.mjs loadLatentMap is its twin)."""
    from .checks import is_finite_number, is_real_number, read_json_file

    manifest = read_manifest(folder) or {}
    name = manifest.get("latent_map")
    if name is None:
        return None
    if not is_file_name(name):
        raise EdgeVAEError(
            f'cannot read {folder / "manifest.json"}: its "latent_map" must name a file in the folder'
        )
    path = folder / name
    latent_map = read_json_file(path)
    if not isinstance(latent_map, dict):
        raise EdgeVAEError(f"cannot read {path}: not a JSON object")
    z, digit = latent_map.get("z"), latent_map.get("digit")
    first = z[0] if isinstance(z, list) and z else None
    width = manifest.get("latent_dim")
    if width is None:
        width = len(first) if isinstance(first, list) else 1
    if not isinstance(z, list) or not all(
        isinstance(point, list) and len(point) == width and all(map(is_finite_number, point)) for point in z
    ):
        raise EdgeVAEError(
            f'cannot read {path}: its "z" must be a list of latents, {width} finite numbers each'
        )
    if (
        not isinstance(digit, list)
        or len(digit) != len(z)
        or not all(is_real_number(label) and label in range(10) for label in digit)
    ):
        raise EdgeVAEError(f'cannot read {path}: its "digit" must hold one digit 0-9 for each latent in "z"')
    return latent_map
