"""The tiny models that tests/contract/cases.json runs, each an exported model folder:

    python tests/contract_models.py OUT_DIR

Their outputs are simple and exact (tests/onnx_builder.py): the generator paints every pixel
0.5 * sum(z), the encoder's z_mean and z_log_var are 0.5 * sum(pixels) in every dimension. Some folders
lie about themselves in their metadata or manifest.json, which both runtimes must refuse. The Python
runner (tests/contract) and the JavaScript one (web/test/contract.test.mjs) read the same folders.
"""

import json
import sys
from pathlib import Path

from onnx_builder import (
    encoder_model,
    generator_model,
)  # tests/ is on the path: pytest's root, or this script's

# One anchor point per digit d, [d / 4, d / 4], jitter 0: digit d's images are 0.5 * d / 2 = d / 4 (clipped).
ANCHORS = [{"digit": d, "anchor": [d / 4, d / 4], "points": [[d / 4, d / 4]], "scale": 0} for d in range(10)]


def metadata(role: str, latent_dim: int = 2, image_shape=(28, 28), **extra) -> dict:
    fields = {"format_version": "2", "role": role, "latent_dim": str(latent_dim)}
    fields["image_shape"] = json.dumps(list(image_shape))
    return {
        **fields,
        **{key: value if isinstance(value, str) else json.dumps(value) for key, value in extra.items()},
    }


def folder(generator=None, encoder=None, manifest=None, latent_dim=2, image_shape=(28, 28), **extra):
    """{file name: bytes or JSON value}; the models are honest unless given."""
    size = image_shape[0] * image_shape[1]
    files = {
        "generator.onnx": generator
        or generator_model(
            z=("float", ["batch", latent_dim]),
            image=("float", ["batch", size]),
            metadata=metadata("generator", latent_dim, image_shape, **extra),
        ),
        "encoder.onnx": encoder
        or encoder_model(
            image=("float", ["batch", size]),
            z_mean=("float", ["batch", latent_dim]),
            metadata=metadata("encoder", latent_dim, image_shape),
        ),
    }
    default = {"format_version": 2, "latent_dim": latent_dim, "image_shape": list(image_shape)}
    files["manifest.json"] = default if manifest is None else manifest
    return files


def mapped(latent_map, manifest=None):
    """A folder whose manifest.json names latent_map.json: `latent_map` is its JSON value, or its raw
    text as bytes (for what json.dumps cannot write, such as 1e999)."""
    manifest = {
        "format_version": 2,
        "latent_dim": 2,
        "image_shape": [28, 28],
        "latent_map": "latent_map.json",
    } | (manifest or {})
    return folder(manifest=manifest) | {"latent_map.json": latent_map}


MAP = {"description": "three test digits", "z": [[0.5, -1], [0, 0], [2, 1.5]], "digit": [7, 2, 1]}


def bad_anchors(change) -> list:
    anchors = json.loads(json.dumps(ANCHORS))
    change(anchors)
    return anchors


MODELS = {
    "tiny": folder(),
    "no-manifest": {name: data for name, data in folder().items() if name != "manifest.json"},
    "wide": folder(image_shape=(3, 4), latent_dim=3),
    "anchored": folder(digit_anchors=ANCHORS),
    "manifest-shape-lies": folder(manifest={"format_version": 2, "latent_dim": 2, "image_shape": [28, 29]}),
    "manifest-latent-lies": folder(manifest={"format_version": 2, "latent_dim": 3, "image_shape": [28, 28]}),
    "metadata-shape-lies": folder(
        generator=generator_model(metadata={**metadata("generator"), "image_shape": "[28, 29]"}),
        encoder=encoder_model(metadata={**metadata("encoder"), "image_shape": "[28, 29]"}),
    ),
    "metadata-latent-lies": folder(
        generator=generator_model(metadata={**metadata("generator"), "latent_dim": "3"}),
        encoder=encoder_model(metadata={**metadata("encoder"), "latent_dim": "3"}),
    ),
    "role-lies": folder(
        generator=generator_model(metadata={**metadata("generator"), "role": "encoder"}),
        encoder=encoder_model(metadata={**metadata("encoder"), "role": "generator"}),
    ),
    "swapped": {
        "generator.onnx": encoder_model(metadata=metadata("encoder")),
        "encoder.onnx": generator_model(metadata=metadata("generator")),
        "manifest.json": {"format_version": 2},
    },
    "future-format": folder(
        generator=generator_model(metadata={**metadata("generator"), "format_version": "3"}),
        encoder=encoder_model(metadata={**metadata("encoder"), "format_version": "3"}),
    ),
    "empty-files": {"generator.onnx": b"", "encoder.onnx": b"", "manifest.json": {"format_version": 2}},
    "not-onnx": {"generator.onnx": b"not a model", "encoder.onnx": b"\x00\xff" * 50},
    "nine-anchors": folder(digit_anchors=ANCHORS[:9]),
    "anchors-out-of-order": folder(digit_anchors=bad_anchors(lambda a: a.reverse())),
    "anchor-too-wide": folder(digit_anchors=bad_anchors(lambda a: a[3]["points"].append([0, 0, 0]))),
    "anchor-no-points": folder(digit_anchors=bad_anchors(lambda a: a[5].update(points=[]))),
    "anchor-negative-scale": folder(digit_anchors=bad_anchors(lambda a: a[7].update(scale=-1))),
    "anchor-text": folder(digit_anchors=bad_anchors(lambda a: a[2].update(anchor=["0", "0"]))),
    "anchors-not-json": folder(digit_anchors="[{"),
    "prior-unnormalised": folder(prior={"weights": [2], "means": [[0, 0]], "log_vars": [[0, 0]]}),
    "prior-too-narrow": folder(prior={"weights": [1], "means": [[0]], "log_vars": [[0]]}),
    "prior-shifted": folder(prior={"weights": [1], "means": [[2, 2]], "log_vars": [[-80, -80]]}),
    "no-int8": folder(),
    "map": mapped(MAP),
    "map-empty": mapped({"z": [], "digit": []}),
    "map-width-from-first-latent": mapped({"z": [[1, 2, 3]], "digit": [4]}, {"latent_dim": None}),
    "map-digits-written-as-floats": mapped(b'{"z": [[0, 0], [1, 1]], "digit": [3.0, 9.0]}'),
    "map-named-outside": mapped(MAP, {"latent_map": "../map/latent_map.json"}),
    "map-named-by-a-number": mapped(MAP, {"latent_map": 5}),
    "map-missing": mapped(MAP, {"latent_map": "elsewhere.json"}),
    "map-a-list": mapped([MAP]),
    "map-broken": mapped(b'{"z": [[0, 0]'),
    "map-nan": mapped(b'{"z": [[NaN, 0]], "digit": [1]}'),
    "map-no-z": mapped({"digit": [1]}),
    "map-z-text": mapped({"z": "0,0", "digit": [1]}),
    "map-z-too-wide": mapped({"z": [[0, 0, 0]], "digit": [1]}),
    "map-z-ragged": mapped({"z": [[0, 0], [1]], "digit": [1, 2]}),
    "map-z-strings": mapped({"z": [["0", "0"]], "digit": [1]}),
    "map-z-booleans": mapped({"z": [[True, False]], "digit": [1]}),
    "map-z-overflows": mapped(b'{"z": [[1e999, 0]], "digit": [1]}'),
    "map-no-digit": mapped({"z": [[0, 0]]}),
    "map-digit-short": mapped({"z": [[0, 0], [1, 1]], "digit": [1]}),
    "map-digit-10": mapped({"z": [[0, 0]], "digit": [10]}),
    "map-digit-negative": mapped({"z": [[0, 0]], "digit": [-1]}),
    "map-digit-half": mapped({"z": [[0, 0]], "digit": [2.5]}),
    "map-digit-boolean": mapped({"z": [[0, 0]], "digit": [True]}),
    "map-digit-text": mapped({"z": [[0, 0]], "digit": ["7"]}),
}


def write_models(out: Path) -> Path:
    for name, files in MODELS.items():
        (out / name).mkdir(parents=True, exist_ok=True)
        for file_name, data in files.items():
            text = data if isinstance(data, bytes) else json.dumps(data).encode()
            (out / name / file_name).write_bytes(text)
    return out


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    write_models(Path(sys.argv[1]))
