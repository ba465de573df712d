"""Check examples/c's edgevae-generate against the Python runtime: same images within 1e-5, the same grid
as `edgevae generate` draws, and one-line errors with the documented exit status for bad input.

    python scripts/c/check.py [--] COMMAND...   # COMMAND runs the built program, e.g. an emulator and it

Run by scripts/test-c.sh with the host's Python runtime (x86 onnxruntime) as the reference, so that a
program built and run on ARM is compared with x86, as scripts/arm/parity.py compares the Python runtime.
The latents are the exporter's parity latents (a grid to +-4 standard deviations, and prior samples),
decoded by the bundled fp32 and int8 generators.
"""

import io
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from edgevae.runtime import Generator
from edgevae.runtime.images import grid_png
from edgevae.runtime.latents import latent_grid, prior_samples
from edgevae.runtime.model_files import bundled_model_dir
from PIL import Image

ATOL = 1e-5
PRIOR_COUNT = 64


def run(command: list[str], *args) -> subprocess.CompletedProcess:
    return subprocess.run([*command, *map(str, args)], capture_output=True, text=True, timeout=600)


def latent_args(latents: np.ndarray) -> list[str]:
    # repr of a float32 widened to float is its shortest round-trip text: strtof reads back the same bits.
    return [",".join(repr(float(value)) for value in latent) for latent in latents]


def check_parity(command: list[str], folder: Path) -> list[str]:
    failures = []
    generators = [Generator(threads=1), Generator(threads=1, int8=True)]
    dim = generators[0].config.latent_dim
    latents = np.concatenate([latent_grid(dim), prior_samples(dim, PRIOR_COUNT)])
    for generator in generators:
        name = generator.config.path.name
        pgm, raw = folder / f"{name}.pgm", folder / f"{name}.f32"
        result = run(command, "--raw", raw, generator.config.path, pgm, *latent_args(latents))
        if result.returncode != 0 or result.stderr:  # success is silent, onnxruntime's noise included
            failures.append(f"{name}: exit {result.returncode}, stderr {result.stderr.strip()[:2000]!r}")
            continue
        expected = generator.generate(latents)
        images = np.fromfile(raw, dtype="<f4").reshape(expected.shape)
        difference = float(np.abs(images - expected).max())
        # The grid: the same layout as edgevae generate's PNG; 8-bit rounding may flip where the values
        # differ by a hair across a half step, so one level is allowed.
        expected_grid = np.asarray(Image.open(io.BytesIO(grid_png(expected))))
        grid = np.asarray(Image.open(pgm))
        levels = (
            int(np.abs(grid.astype(int) - expected_grid).max()) if grid.shape == expected_grid.shape else None
        )
        print(
            f"check-c: {name}: {len(latents)} latents, max abs difference {difference:.2e} (limit {ATOL:g}),"
            f" grid {grid.shape[1]}x{grid.shape[0]} within {levels} level(s) of edgevae generate's"
        )
        if not difference <= ATOL:
            failures.append(f"{name}: max abs difference {difference:.2e} > {ATOL:g}")
        if levels is None or levels > 1:
            failures.append(
                f"{name}: the PGM grid is {grid.shape}, not edgevae generate's {expected_grid.shape}"
            )
    return failures


def check_errors(command: list[str], folder: Path) -> list[str]:
    """Bad input: the exit status, one line on stderr naming the problem, and no file left behind."""
    model = bundled_model_dir() / "generator.onnx"
    out = folder / "errors" / "out.pgm"
    out.parent.mkdir()
    cases = [
        ("no arguments", 2, "usage:", []),
        ("no latent", 2, "usage:", [model, out]),
        ("missing model", 1, "cannot read", [folder / "missing.onnx", out, "0,0"]),
        (
            "not a model",
            1,
            "onnxruntime cannot load the model",
            [bundled_model_dir() / "manifest.json", out, "0,0"],
        ),
        (
            "the encoder",
            1,
            "an edgevae generator has one of each",
            [bundled_model_dir() / "encoder.onnx", out, "0,0"],
        ),
        ("too few values", 2, "has 1 value;", [model, out, "0.5"]),
        ("too many values", 2, "has 3 values;", [model, out, "0.5,1,2"]),
        ("not a number", 2, "is not comma-separated numbers", [model, out, "0.5,x"]),
        ("empty value", 2, "is not comma-separated numbers", [model, out, "0.5,"]),
        ("NaN", 2, "not finite", [model, out, "nan,0"]),
        ("overflow", 2, "not finite", [model, out, "1e39,0"]),
        ("unwritable PGM", 1, "cannot write", [model, folder / "missing" / "out.pgm", "0,0"]),
        ("unwritable raw", 1, "cannot write", ["--raw", folder / "missing" / "out.f32", model, out, "0,0"]),
    ]
    failures = []
    for name, status, words, args in cases:
        result = run(command, *args)
        lines = result.stderr.splitlines()
        left = sorted(path.name for path in out.parent.iterdir())
        if result.returncode != status or len(lines) != 1 or words not in lines[0] or left:
            failures.append(
                f"{name}: exit {result.returncode} (want {status}), stderr {result.stderr!r}"
                f" (want one line with {words!r}), files left {left}"
            )
    print(f"check-c: {len(cases) - len(failures)} of {len(cases)} bad inputs refused as documented")
    return failures


def main() -> int:
    command = sys.argv[1:]
    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as folder:
        failures = check_parity(command, Path(folder)) + check_errors(command, Path(folder))
    for failure in failures:
        print(f"check-c: FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
