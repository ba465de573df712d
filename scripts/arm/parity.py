"""Do the bundled models give the same numbers on aarch64 as on x86?

    python scripts/arm/parity.py --save REF.npz    # on x86, with the project's python
    <emulated python> scripts/arm/parity.py --check REF.npz

Runs every .onnx file bundled in edgevae.runtime.pretrained (fp32 and int8) with
onnxruntime directly, on fixed inputs: the generators on a latent grid plus seeded
latents (64 in all), the encoders on 32 MNIST-like images, namely the fp32
generator's own outputs. --save writes inputs, outputs and the files' sha256 to an
.npz; --check runs the same files on the saved inputs and prints the max abs
difference per model and output, exiting 1 when one is above --atol (1e-5).

Where the saving python has the `onnx` package, --save also stores the outputs of
onnx's reference evaluator (exact ONNX semantics, integer maths done exactly), and
--check shows the difference to those too: when x86 and aarch64 disagree, that says
which side is off. (onnxruntime's x86 u8s8 int8 kernels on AVX2 without VNNI can
saturate 16-bit sums unless the model was quantised with reduce_range=True.)
--against exact compares with that instead of x86 onnxruntime.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import sys
from importlib.resources import files
from pathlib import Path

import numpy as np
import onnxruntime as ort

SEED = 20240531
N_LATENTS = 64
N_IMAGES = 32
GRID = 6  # GRID*GRID grid points on the first two latent axes, the rest seeded


def bundled_dir() -> Path:
    return Path(str(files("edgevae.runtime.pretrained")))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def session(path: Path) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1  # one thread: the same summation order every run
    options.log_severity_level = 3
    return ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])


def role_of(path: Path, sess: ort.InferenceSession, manifest: dict) -> str:
    role = (manifest.get("files", {}).get(path.name) or {}).get("role")
    if role:
        return role
    names = [i.name for i in sess.get_inputs()]
    return "generator" if names == ["z"] else "encoder" if names == ["image"] else path.stem.split(".")[0]


def latents(latent_dim: int) -> np.ndarray:
    axis = np.linspace(-2.0, 2.0, GRID, dtype=np.float32)
    gx, gy = np.meshgrid(axis, axis)
    grid = np.zeros((GRID * GRID, latent_dim), dtype=np.float32)
    grid[:, 0] = gx.ravel()
    if latent_dim > 1:
        grid[:, 1] = gy.ravel()
    seeded = np.random.default_rng(SEED).standard_normal((N_LATENTS - len(grid), latent_dim), dtype=np.float32)
    return np.concatenate([grid, seeded])


def load_models():
    folder = bundled_dir()
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {}
    models = []
    for path in sorted(folder.glob("*.onnx")):
        sess = session(path)
        models.append((path, sess, role_of(path, sess, manifest)))
    if not models:
        sys.exit(f"parity: no .onnx files in {folder}")
    return folder, models


def compute(models, inputs: dict[str, np.ndarray] | None) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """(inputs, outputs). Inputs are made here unless given (the --check side uses the saved ones)."""
    outputs: dict[str, np.ndarray] = {}
    made: dict[str, np.ndarray] = {}
    generators = [m for m in models if m[2] == "generator"]
    encoders = [m for m in models if m[2] == "encoder"]
    if generators:
        fp32 = next((m for m in generators if ".int8." not in m[0].name), generators[0])
        z_input = fp32[1].get_inputs()[0]
        made["generator"] = latents(int(z_input.shape[1]))
    z = inputs["generator"] if inputs else made.get("generator")
    for path, sess, _ in generators:
        feed = {sess.get_inputs()[0].name: z}
        for out, value in zip(sess.get_outputs(), sess.run(None, feed)):
            outputs[f"{path.name}:{out.name}"] = value
    if encoders:
        size = int(np.prod([d for d in encoders[0][1].get_inputs()[0].shape[1:]]))
        if generators:
            images = outputs[f"{fp32[0].name}:{fp32[1].get_outputs()[0].name}"][:N_IMAGES]
            made["encoder"] = np.clip(images.reshape(len(images), -1), 0, 1).astype(np.float32)
        else:
            made["encoder"] = np.random.default_rng(SEED).random((N_IMAGES, size), dtype=np.float32)
    images = inputs["encoder"] if inputs else made.get("encoder")
    for path, sess, _ in encoders:
        shape = [len(images)] + [int(d) for d in sess.get_inputs()[0].shape[1:]]
        feed = {sess.get_inputs()[0].name: images.reshape(shape)}
        for out, value in zip(sess.get_outputs(), sess.run(None, feed)):
            outputs[f"{path.name}:{out.name}"] = value
    return (inputs or made), outputs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", type=Path, help="write the reference .npz (run on x86)")
    group.add_argument("--check", type=Path, help="compare against a reference .npz (run emulated)")
    ap.add_argument("--atol", type=float, default=1e-5)
    ap.add_argument("--against", choices=["x86", "exact"], default="x86",
                    help="fail on the difference to the saved onnxruntime outputs (x86) or to onnx's reference evaluator")
    args = ap.parse_args()
    where = f"{platform.machine()}, onnxruntime {ort.__version__}"
    folder, models = load_models()

    if args.save:
        inputs, outputs = compute(models, None)
        arrays = {f"in/{k}": v for k, v in inputs.items()}
        arrays.update({f"out/{k}": v for k, v in outputs.items()})
        arrays.update({f"sha256/{p.name}": np.array(sha256(p)) for p, _, _ in models})
        arrays["meta/where"] = np.array(where)
        try:
            import onnx
            from onnx.reference import ReferenceEvaluator
        except ImportError:
            print("parity: no onnx package here, so no exact reference (only onnxruntime's)")
        else:
            for path, sess, role in models:
                evaluator = ReferenceEvaluator(onnx.load(str(path)))
                feed_value = inputs[role].reshape([-1] + [int(d) for d in sess.get_inputs()[0].shape[1:]])
                values = evaluator.run(None, {sess.get_inputs()[0].name: feed_value})
                for out, value in zip(sess.get_outputs(), values):
                    arrays[f"exact/{path.name}:{out.name}"] = np.asarray(value)
        args.save.parent.mkdir(parents=True, exist_ok=True)
        np.savez(args.save, **arrays)
        print(f"parity: reference from {len(models)} models in {folder} ({where}) saved to {args.save}")
        return 0

    ref = np.load(args.check)
    for p, _, _ in models:
        if f"sha256/{p.name}" not in ref.files or str(ref[f"sha256/{p.name}"]) != sha256(p):
            print(f"parity: FAILED: {p.name} is not the file the reference was made from; re-run --save")
            return 1
    saved_inputs = {k[3:]: ref[k] for k in ref.files if k.startswith("in/")}
    # The inputs must come out the same here too (numpy's seeded generator is portable).
    if "generator" in saved_inputs:
        z_input = next(s for _, s, r in models if r == "generator").get_inputs()[0]
        if not np.array_equal(latents(int(z_input.shape[1])), saved_inputs["generator"]):
            print("parity: FAILED: the seeded latents differ between the reference and here")
            return 1
    _, outputs = compute(models, saved_inputs)
    has_exact = any(k.startswith("exact/") for k in ref.files)
    if args.against == "exact" and not has_exact:
        print("parity: FAILED: --against exact, but the reference has no exact outputs (save with onnx installed)")
        return 1
    print(f"parity: {where} vs reference ({ref['meta/where']}); max abs difference, limit {args.atol:g}"
          f" against {'x86 onnxruntime' if args.against == 'x86' else 'exact'}")
    print(f"  {'model:output':34s} {'shape':12s} {'vs x86':>9s}" + (f" {'vs exact':>9s} {'x86-exact':>9s}" if has_exact else ""))
    worst = 0.0
    x86_off = []

    def maxdiff(a, b):
        return float(np.abs(a.astype(np.float64) - b.astype(np.float64)).max()) if a.size else 0.0

    for key in sorted(outputs):
        got, want = outputs[key], ref[f"out/{key}"]
        if got.shape != want.shape:
            print(f"  {key:34s} shape {got.shape} != {want.shape}  FAIL")
            worst = float("inf")
            continue
        diffs = {"x86": maxdiff(got, want)}
        line = f"  {key:34s} {str(list(got.shape)):12s} {diffs['x86']:9.3g}"
        if has_exact:
            exact = ref[f"exact/{key}"]
            diffs["exact"] = maxdiff(got, exact)
            x86_vs_exact = maxdiff(want, exact)
            line += f" {diffs['exact']:9.3g} {x86_vs_exact:9.3g}"
            if x86_vs_exact > args.atol and diffs["exact"] <= args.atol:
                x86_off.append(key)
        diff = diffs[args.against]
        worst = max(worst, diff)
        print(f"{line}  {'ok' if diff <= args.atol else 'FAIL'}")
    if x86_off:
        print(f"parity: note: aarch64 matches the exact ONNX result but x86 onnxruntime does not for {', '.join(x86_off)}:"
              " the x86 u8s8 kernel (AVX2 without VNNI) saturates; quantise with reduce_range=True to fix that")
    ok = worst <= args.atol
    print(f"parity: {'ok' if ok else 'FAILED'}: worst {worst:.3g} over {len(outputs)} outputs of {len(models)} models")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
