"""`pip install .` with no extras gives a working runtime and CLI, and no TensorFlow, Keras or onnx."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from helpers import SECOND_STROKE, TRAINING_STACK, draw_digit

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def run(command, **kwargs):
    result = subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, timeout=600, **kwargs
    )
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def runtime_venv(tmp_path_factory):
    venv = tmp_path_factory.mktemp("runtime-only") / "venv"
    run([sys.executable, "-m", "venv", venv])
    run([venv / "bin/python", "-m", "pip", "install", "--quiet", ROOT])
    return venv


def test_training_stack_is_absent(runtime_venv):
    for module in TRAINING_STACK:
        result = subprocess.run([runtime_venv / "bin/python", "-c", f"import {module}"], capture_output=True)
        assert result.returncode != 0, f"{module} is importable in the runtime-only install"
    # The bundled model ships inside the wheel.
    code = (
        "from edgevae.runtime.model_files import bundled_model_dir as d; "
        "print(sorted(p.name for p in d().iterdir()))"
    )
    files = run([runtime_venv / "bin/python", "-c", code]).stdout
    assert "generator.onnx" in files and "encoder.int8.onnx" in files and "manifest.json" in files


def test_every_runtime_command_end_to_end(runtime_venv, tmp_path):
    edgevae = runtime_venv / "bin/edgevae"
    digit_a = draw_digit(tmp_path / "a.png")
    digit_b = draw_digit(tmp_path / "b.png", stroke=SECOND_STROKE)

    assert run([edgevae, "--version"]).stdout.strip().endswith("0.1.0")
    assert run([runtime_venv / "bin/python", "-m", "edgevae", "--version"]).stdout.strip().endswith("0.1.0")
    for command in ("train", "export"):  # their help names the extra that brings them
        assert "pip install '.[train]'" in " ".join(run([edgevae, command, "--help"]).stdout.split())
    run([edgevae, "generate", "--random", 16, "--seed", 0, "--out", tmp_path / "grid.png"])
    assert Image.open(tmp_path / "grid.png").size[0] > 4 * 28
    run([edgevae, "generate", "--z", "0,0", "--z", "1,-1", "--each", "--out", tmp_path / "each"])
    assert len(list((tmp_path / "each").glob("*.png"))) == 2
    run([edgevae, "generate", "--random", 4, "--digit", 7, "--seed", 0, "--out", tmp_path / "sevens.npy"])
    assert np.load(tmp_path / "sevens.npy").shape == (4, 28, 28)
    run([edgevae, "generate", "--digits", "--out", tmp_path / "row.png"])
    assert Image.open(tmp_path / "row.png").size == (10 * 30 + 2, 32)
    np.save(tmp_path / "latents.npy", np.zeros((3, 2), np.float32))
    run([edgevae, "generate", "--from", tmp_path / "latents.npy", "--out", tmp_path / "images.npy", "--int8"])
    images = np.load(tmp_path / "images.npy")
    assert images.shape == (3, 28, 28) and 0 <= images.min() and images.max() <= 1

    encoded = json.loads(run([edgevae, "encode", digit_a, digit_b, "--format", "json"]).stdout)
    assert len(encoded) == 2
    run([edgevae, "encode", digit_a, "--format", "npy", "--out", tmp_path / "codes.npy"])
    assert np.load(tmp_path / "codes.npy").shape[-1] == 2
    assert run([edgevae, "encode", digit_a, "--format", "csv"]).stdout.count("\n") == 2

    run([edgevae, "manifold", "--n", 5, "--out", tmp_path / "manifold.png"])
    run([edgevae, "reconstruct", digit_a, digit_b, "--out", tmp_path / "compare.png"])
    run([edgevae, "interpolate", digit_a, digit_b, "--steps", 4, "--out", tmp_path / "strip.png"])
    for name in ("manifold.png", "compare.png", "strip.png"):
        assert Image.open(tmp_path / name).format == "PNG"

    info = json.loads(run([edgevae, "info", "--format", "json"]).stdout)
    assert all(entry["status"] == "ok" for entry in info["files"])
    bench = json.loads(
        run([edgevae, "bench", "--batches", "1,8", "--seconds", "0.05", "--format", "json"]).stdout
    )
    assert {row["operation"] for row in bench} == {"generate", "encode"}
