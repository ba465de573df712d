"""Do the bundled models give the same numbers on ARM as on x86?

    python scripts/arm/parity.py --save REF.npz    # on x86, with the project's python
    <emulated python> scripts/arm/parity.py --check REF.npz

Runs the bundled models (fp32 and int8 generator and encoder) through the installed edgevae's
public API, one thread each so that every run sums in the same order. The generators get the
exporter's parity latents (edgevae.runtime.latents: a grid to +-4 standard deviations, plus prior
samples); the encoders get the fp32 generator's images of them. --save writes the inputs, the
outputs and the files' SHA-256 to an .npz; --check runs the same files on the saved inputs and
prints the max abs difference per model and output, exiting 1 when one is above --atol (1e-5).

The int8 files store weights only and compute in float32, so the same limit holds for them.
"""

from __future__ import annotations

import argparse
import platform
import sys

import numpy as np
import onnxruntime
from edgevae.runtime import Encoder, Generator
from edgevae.runtime.latents import latent_grid, prior_samples
from edgevae.runtime.model_files import bundled_model_dir
from edgevae.runtime.model_info import size_and_sha256

PRIOR_COUNT = 256


def compute(inputs: dict[str, np.ndarray] | None):
    """(models, inputs, outputs keyed 'file:output'). Inputs are made here unless given (--check)."""
    generators = [Generator(threads=1), Generator(threads=1, int8=True)]
    encoders = [Encoder(threads=1), Encoder(threads=1, int8=True)]
    if inputs is None:
        dim = generators[0].config.latent_dim
        z = np.concatenate([latent_grid(dim), prior_samples(dim, PRIOR_COUNT)])
        inputs = {"z": z, "image": generators[0].generate(z)}
    outputs = {}
    for generator in generators:
        outputs[f"{generator.config.path.name}:image"] = generator.generate(inputs["z"])
    for encoder in encoders:
        z_mean, z_log_var = encoder.encode(inputs["image"])
        outputs[f"{encoder.config.path.name}:z_mean"] = z_mean
        outputs[f"{encoder.config.path.name}:z_log_var"] = z_log_var
    return generators + encoders, inputs, outputs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", help="write the reference .npz (run on x86)")
    group.add_argument("--check", help="compare against a reference .npz (run emulated)")
    parser.add_argument("--atol", type=float, default=1e-5)
    args = parser.parse_args()
    where = f"{platform.machine()}, onnxruntime {onnxruntime.__version__}"
    reference = None if args.save else np.load(args.check)
    saved_inputs = (
        None if reference is None else {k[3:]: reference[k] for k in reference.files if k.startswith("in/")}
    )
    models, inputs, outputs = compute(saved_inputs)
    digests = {model.config.path.name: size_and_sha256(model.config.path)["sha256"] for model in models}

    if reference is None:
        arrays = {f"in/{k}": v for k, v in inputs.items()}
        arrays.update({f"out/{k}": v for k, v in outputs.items()})
        arrays.update({f"sha256/{k}": np.array(v) for k, v in digests.items()})
        arrays["meta/where"] = np.array(where)
        np.savez(args.save, **arrays)
        print(
            f"parity: reference from {len(models)} models in {bundled_model_dir()} ({where})"
            f" saved to {args.save}"
        )
        return 0

    for name, digest in digests.items():
        if f"sha256/{name}" not in reference.files or str(reference[f"sha256/{name}"]) != digest:
            print(f"parity: FAILED: {name} is not the file the reference was made from; run --save again")
            return 1
    print(f"parity: {where} vs {reference['meta/where']}; max abs difference, limit {args.atol:g}")
    differences = []
    for key in sorted(outputs):
        got, want = outputs[key], reference[f"out/{key}"]
        if got.shape != want.shape:
            print(f"  {key:30s} shape {list(got.shape)} != {list(want.shape)}  FAIL")
            differences.append(float("inf"))
            continue
        difference = float(np.abs(got.astype(np.float64) - want.astype(np.float64)).max())
        differences.append(difference)
        print(
            f"  {key:30s} {str(list(got.shape)):14s} {difference:9.3g}"
            f"  {'ok' if difference <= args.atol else 'FAIL'}"
        )
    ok = all(difference <= args.atol for difference in differences)  # False for NaN too
    print(
        f"parity: {'ok' if ok else 'FAILED'}: worst {max(differences):.3g} over {len(outputs)} outputs"
        f" of {len(models)} models"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
