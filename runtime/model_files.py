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
        isinstance(entry, dict) and name == Path(name).name and name not in ("", ".", "..")
        for name, entry in files.items()
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
