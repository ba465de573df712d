"""Summarise an exported model folder for `edgevae info`: its manifest, and whether the files match it."""

import hashlib
import json
from pathlib import Path

from .checks import parse_json
from .errors import EdgeVAEError
from .model_files import bundled_model_dir, file_kind, read_manifest

JSON_METADATA = ("image_shape", "metrics", "parity", "digit_anchors")
INTEGER_METADATA = ("format_version", "latent_dim", "opset")


def describe_model(model=None) -> dict:
    """The manifest's facts plus a checked list of files; from ONNX metadata when there is no manifest."""
    folder = bundled_model_dir() if model is None else Path(model)
    if not folder.is_dir():
        raise EdgeVAEError(f"model folder not found: {folder}")
    manifest = read_manifest(folder)
    summary = dict(manifest) if manifest is not None else metadata_summary(folder)
    listed = summary.pop("files", None) or {}
    names = sorted(set(listed) | {path.name for path in folder.glob("*.onnx")})
    files = [check_file(folder, name, listed.get(name), manifest is not None) for name in names]
    summary.pop("path", None)
    return {"path": str(folder), **summary, "files": files}


def failed_checks(info: dict) -> list[str]:
    """'name (status)' for each file that does not match its manifest or is missing."""
    passing = ("ok", "no manifest to check against")
    return [
        f"{entry['name']} ({entry['status']})" for entry in info["files"] if entry["status"] not in passing
    ]


def metadata_summary(folder: Path) -> dict:
    from .session import open_session  # onnxruntime is only needed without a manifest

    for name in ("generator.onnx", "encoder.onnx"):
        if (folder / name).is_file():
            metadata = open_session(folder / name).get_modelmeta().custom_metadata_map
            return {key: parse_value(key, value) for key, value in metadata.items() if key != "role"}
    raise EdgeVAEError(f"{folder} holds no manifest.json, generator.onnx or encoder.onnx")


def parse_value(key: str, value: str):
    """A metadata value as JSON or a whole number where it should be one; as the text it is otherwise."""
    try:
        if key in JSON_METADATA:
            return parse_json(value, key)
        if key in INTEGER_METADATA:
            return int(value)
    except (ValueError, EdgeVAEError):
        pass
    return value


def size_and_sha256(path: Path) -> dict:
    """A file's size and SHA-256, as manifest.json lists them."""
    data = path.read_bytes()
    return {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def check_file(folder: Path, name: str, listed: dict | None, has_manifest: bool) -> dict:
    path = folder / name
    role, precision = file_kind(name)
    entry = {
        "name": name,
        "role": role,
        "precision": precision if name.endswith((".onnx", ".ort")) else "-",
        **(listed or {}),
    }
    if not path.is_file():
        return {**entry, "status": "missing"}
    actual = size_and_sha256(path)
    if not has_manifest:
        status = "no manifest to check against"
    elif listed is None:
        status = "not in manifest"
    elif listed.get("bytes") not in (None, actual["bytes"]):
        status = f"size differs from manifest ({listed['bytes']} bytes listed)"
    elif listed.get("sha256") not in (None, actual["sha256"]):
        status = "sha256 differs from manifest"
    else:
        status = "ok"
    return {**entry, **actual, "status": status}


def format_info(info: dict) -> str:
    """Human-readable lines for the terminal."""
    lines = [f"model     {info['path']}"]
    shape = info.get("image_shape") if isinstance(info.get("image_shape"), list) else []
    lines.append(
        f"format    {info.get('format_version', '?')}, edgevae {info.get('edgevae_version', '?')},"
        f" opset {info.get('opset', '?')}, created {info.get('created', '?')}"
    )
    lines.append(
        f"latent    {info.get('latent_dim', '?')} dimensions, images {'x'.join(map(str, shape)) or '?'}"
    )
    lines.append(f"data      {info.get('data_source', '?')}")
    for key in ("metrics", "parity"):
        value = info.get(key)
        if isinstance(value, dict):
            value = ", ".join(f"{name} {compact(item)}" for name, item in value.items())
        lines.append(f"{key:<9} {value if value not in (None, '') else '-'}")
    lines.append(
        "digits    "
        f"{'anchors for 0-9: generate --digit D' if info.get('digit_anchors') else '- (no anchors)'}"
    )
    lines.append("files")
    for entry in info["files"]:
        size = f"{entry['bytes']} bytes" if "bytes" in entry else ""
        lines.append(
            f"  {entry['name']:<22} {entry['role']:<10} {entry['precision']:<5} {size:>15}  {entry['status']}"
        )
    return "\n".join(lines)


def compact(value) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return value if isinstance(value, str) else json.dumps(value)
