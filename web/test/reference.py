"""Reference outputs from the Python runtime for the JavaScript tests, written as JSON.

    python web/test/reference.py OUT_DIR

OUT_DIR/reference.json holds fixed latents and real MNIST test digits with what the Python runtime
computes from them (fp32 and int8; the digit head's probabilities included), the manifold grids (N(0, I)
and the bundled model's prior), and the moments of the Python runtime's prior samples and of its
samples of a 7. OUT_DIR/anchored/ is a copy of the
bundled model whose manifest gains `digit_anchors` (the schema of the "ask for a digit" issue),
each the typical latent of that digit's test images, so the page's digit buttons can be tested.
OUT_DIR/bare/ is a copy with neither `digit_anchors` (in the manifest or the generators' metadata)
nor a latent map, as an export without them is, so the page can be tested without its optional panels.
"""

import hashlib
import json
import shutil
import sys
from pathlib import Path

import numpy as np
from edgevae.runtime import Encoder, Generator
from edgevae.runtime.latents import manifold_grid
from edgevae.runtime.model_files import bundled_model_dir
from edgevae.train.data import load_mnist

DIGITS_PER_CLASS = 3
PRIOR_SAMPLES = 100_000


def fixed_latents() -> np.ndarray:
    """A 5x5 grid over +-3, the far corners at +-4, and a few odd points."""
    axis = np.linspace(-3, 3, 5, dtype=np.float32)
    grid = np.stack(np.meshgrid(axis, axis, indexing="ij"), axis=-1).reshape(-1, 2)
    extra = np.array([[-4, -4], [4, 4], [0.123, -0.456], [1e-3, 2.5]], dtype=np.float32)
    return np.concatenate([grid, extra])


def typical_latent(z_mean: np.ndarray, radius: float = 0.3) -> np.ndarray:
    """The point with the most neighbours within `radius` (as tests/bundled_model does)."""
    candidates = z_mean[::5]
    neighbours = ((candidates[:, None, :] - z_mean[None, :, :]) ** 2).sum(axis=-1) < radius**2
    return candidates[neighbours.sum(axis=1).argmax()]


def model_copy(folder: Path, change) -> None:
    """The bundled model copied into `folder`, its manifest rewritten by change(manifest, folder)."""
    shutil.copytree(bundled_model_dir(), folder, ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    manifest = json.loads((folder / "manifest.json").read_text())
    change(manifest, folder)
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")


def add_anchors(z_mean: np.ndarray, labels: np.ndarray):
    def change(manifest, folder):
        manifest["digit_anchors"] = [
            {
                "digit": digit,
                "anchor": anchor,
                "points": [anchor],  # a sample of the digit is its anchor: jitter 0
                "scale": 0,
            }
            for digit in range(10)
            for anchor in [[round(float(value), 4) for value in typical_latent(z_mean[labels == digit])]]
        ]

    return change


def strip_metadata(path: Path, key: str) -> Path:
    """Rewrite the ONNX file at `path` without the metadata entry `key`."""
    import onnx  # the train extra, which make test-web installs

    model = onnx.load(path)
    kept = [entry for entry in model.metadata_props if entry.key != key]
    del model.metadata_props[:]
    model.metadata_props.extend(kept)
    onnx.save(model, path)
    return path


def file_facts(path: Path) -> dict:
    return {"bytes": path.stat().st_size, "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}


def strip_anchors_and_map(manifest, folder):
    """No digit_anchors, no latent map: the manifest neither names nor lists latent_map.json."""
    manifest.pop("digit_anchors", None)
    for name, entry in manifest["files"].items():  # the model files carry the anchors too (metadata)
        if entry["role"] == "generator":
            entry.update(file_facts(strip_metadata(folder / name, "digit_anchors")))
    if name := manifest.pop("latent_map", None):
        manifest["files"].pop(name, None)
        (folder / name).unlink()


def main():
    out = Path(sys.argv[1])
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    mnist = load_mnist()
    # The first DIGITS_PER_CLASS test images of each digit, as uint8 (the JS side divides by 255).
    picks = np.concatenate([np.flatnonzero(mnist.y_test == digit)[:DIGITS_PER_CLASS] for digit in range(10)])
    images = mnist.x_test[picks].reshape(len(picks), 784)
    z = fixed_latents()
    generator = Generator()
    samples = generator.sample_latents(PRIOR_SAMPLES, seed=0)
    sevens = generator.sample_latents(PRIOR_SAMPLES, seed=0, digit=7)
    reference = {
        "latents": z.tolist(),
        "images": images.tolist(),
        "labels": mnist.y_test[picks].tolist(),
        "manifold": manifold_grid(20, 0.95).tolist(),
        "prior_manifold": manifold_grid(20, 0.95, generator.prior).tolist(),
        # Moments of the model's own prior and of the digit 7's samples, as the Python runtime draws them.
        "prior_moments": {"mean": samples.mean(axis=0).tolist(), "var": samples.var(axis=0).tolist()},
        "seven_moments": {"mean": sevens.mean(axis=0).tolist(), "var": sevens.var(axis=0).tolist()},
    }
    for precision, int8 in (("fp32", False), ("int8", True)):
        encoder = Encoder(int8=int8)
        z_mean, z_log_var, probabilities = encoder.run(images)
        reference[precision] = {
            "generated": Generator(int8=int8).generate(z).reshape(len(z), 784).tolist(),
            "z_mean": z_mean.tolist(),
            "z_log_var": z_log_var.tolist(),
            "digit_probabilities": probabilities.tolist(),
        }
    (out / "reference.json").write_text(json.dumps(reference))
    all_z_mean, _ = Encoder().encode(mnist.x_test)
    model_copy(out / "anchored", add_anchors(all_z_mean, mnist.y_test))
    model_copy(out / "bare", strip_anchors_and_map)
    print(f"wrote {out / 'reference.json'}, {out / 'anchored'} and {out / 'bare'}")


if __name__ == "__main__":
    main()
