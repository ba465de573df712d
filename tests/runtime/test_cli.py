"""Every runtime command end to end, in a fresh process, checking the files it writes."""

import csv
import io
import json
import sys
from pathlib import Path

import numpy as np
import pytest
from edgevae.runtime import Encoder, Generator, __version__, load_digit
from PIL import Image

from helpers import FLOAT32_FILES, copy_model, run_cli


def png_pixels(path) -> np.ndarray:
    image = Image.open(path)
    assert image.format == "PNG" and image.mode == "L"
    return np.asarray(image)


def assert_ok(result):
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""


def test_version_through_the_installed_script():
    script = Path(sys.executable).with_name("edgevae")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "edgevae.runtime.cli"]
    import subprocess

    for program in (command, [sys.executable, "-m", "edgevae"]):
        result = subprocess.run([*program, "--version"], capture_output=True, text=True, timeout=60)
        assert_ok(result)
        assert result.stdout.strip() == f"edgevae, version {__version__}"


def test_help_lists_every_command():
    result = run_cli("--help")
    assert_ok(result)
    for name in (
        "generate",
        "encode",
        "manifold",
        "reconstruct",
        "interpolate",
        "info",
        "bench",
        "train",
        "export",
    ):
        assert f"  {name} " in result.stdout


def test_generate_random_grid_is_deterministic(tmp_path):
    for name in ("first.png", "second.png"):
        assert_ok(run_cli("generate", "--random", 16, "--seed", 3, "--out", tmp_path / name))
    grid = png_pixels(tmp_path / "first.png")
    assert grid.shape == (4 * 30 + 2, 4 * 30 + 2)
    assert (tmp_path / "first.png").read_bytes() == (tmp_path / "second.png").read_bytes()
    expected = np.round(Generator().sample(16, seed=3) * 255)
    np.testing.assert_allclose(grid[2:30, 2:30], expected[0], atol=1)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["first.png", "second.png"]  # no temp files


def test_generate_points_to_npy(tmp_path):
    assert_ok(run_cli("generate", "--z", "0,0", "--z", "-1.5,2", "--out", tmp_path / "images.npy"))
    images = np.load(tmp_path / "images.npy")
    assert images.shape == (2, 28, 28) and images.dtype == np.float32
    np.testing.assert_array_equal(images, Generator().generate([[0, 0], [-1.5, 2]]))


def test_generate_from_npy_into_a_folder(tmp_path):
    np.save(tmp_path / "latents.npy", np.array([[0, 0], [1, 1], [2, -2]], dtype=np.float64))
    assert_ok(run_cli("generate", "--from", tmp_path / "latents.npy", "--out", tmp_path / "digits", "--each"))
    names = sorted(path.name for path in (tmp_path / "digits").iterdir())
    assert names == ["digit-0000.png", "digit-0001.png", "digit-0002.png"]
    assert png_pixels(tmp_path / "digits" / "digit-0002.png").shape == (28, 28)


def test_generate_with_int8_threads_and_columns(tmp_path, model_dir):
    result = run_cli(
        "generate",
        "--random",
        6,
        "--columns",
        6,
        "--out",
        tmp_path / "strip.png",
        "--model-dir",
        model_dir,
        "--int8",
        "--threads",
        1,
    )
    assert_ok(result)
    assert png_pixels(tmp_path / "strip.png").shape == (32, 6 * 30 + 2)


@pytest.mark.parametrize("output_format", ["table", "json", "csv"])
def test_encode_text_formats(digit_a, digit_b, output_format):
    """Every format names the digit the model reads and its probability, beside the codes."""
    result = run_cli("encode", digit_a, digit_b, "--format", output_format)
    assert_ok(result)
    encoder = Encoder()
    images = np.stack([load_digit(digit_a), load_digit(digit_b)])
    z_mean, z_log_var = encoder.encode(images)
    digits, probabilities = encoder.classify(images)
    columns = ["image", "digit", "probability", "z_mean_0", "z_mean_1", "z_log_var_0", "z_log_var_1"]
    if output_format == "json":
        records = json.loads(result.stdout)
        assert [record["image"] for record in records] == [str(digit_a), str(digit_b)]
        assert [record["digit"] for record in records] == digits.tolist()
        np.testing.assert_allclose([record["probability"] for record in records], probabilities, atol=1e-6)
        np.testing.assert_allclose([record["z_mean"] for record in records], z_mean, atol=1e-6)
        np.testing.assert_allclose([record["z_log_var"] for record in records], z_log_var, atol=1e-6)
    elif output_format == "csv":
        rows = list(csv.reader(io.StringIO(result.stdout)))
        assert rows[0] == columns
        assert [int(row[1]) for row in rows[1:]] == digits.tolist()
        np.testing.assert_allclose([float(row[2]) for row in rows[1:]], probabilities, rtol=1e-5)
        np.testing.assert_allclose(
            [[float(value) for value in row[3:5]] for row in rows[1:]], z_mean, rtol=1e-5, atol=1e-6
        )
    else:
        lines = result.stdout.splitlines()
        assert lines[0].split() == columns
        assert int(lines[1].split()[1]) == digits[0]
        assert float(lines[1].split()[2]) == pytest.approx(probabilities[0], abs=1e-4)
        assert float(lines[1].split()[3]) == pytest.approx(z_mean[0, 0], abs=1e-4)


def test_encode_to_npy_feeds_generate(tmp_path, digit_a, digit_b):
    result = run_cli("encode", digit_a, digit_b, "--format", "npy", "--out", tmp_path / "codes.npy")
    assert_ok(result)
    codes = np.load(tmp_path / "codes.npy")
    assert codes.shape == (2, 2)
    # The digits read are printed as the table, since the array holds the codes alone.
    digits, _ = Encoder().classify(np.stack([load_digit(digit_a), load_digit(digit_b)]))
    assert [int(line.split()[1]) for line in result.stdout.splitlines()[1:]] == digits.tolist()
    assert_ok(run_cli("generate", "--from", tmp_path / "codes.npy", "--out", tmp_path / "decoded.npy"))
    np.testing.assert_array_equal(np.load(tmp_path / "decoded.npy"), Generator().generate(codes))


def test_encode_json_to_a_file(tmp_path, digit_a):
    assert_ok(run_cli("encode", digit_a, "--format", "json", "--out", tmp_path / "codes.json"))
    assert len(json.loads((tmp_path / "codes.json").read_text())) == 1


def test_generate_a_digit(tmp_path):
    for name in ("first.npy", "second.npy"):
        assert_ok(run_cli("generate", "--random", 6, "--digit", 7, "--seed", 4, "--out", tmp_path / name))
    sevens = np.load(tmp_path / "first.npy")
    np.testing.assert_array_equal(sevens, np.load(tmp_path / "second.npy"))
    np.testing.assert_array_equal(sevens, Generator().sample(6, seed=4, digit=7))
    assert_ok(
        run_cli("generate", "--digit", 3, "--seed", 2, "--out", tmp_path / "three.npy")
    )  # --digit alone
    np.testing.assert_array_equal(np.load(tmp_path / "three.npy"), Generator().sample(1, seed=2, digit=3))


def test_scale_enlarges_pictures_nearest_neighbour(tmp_path, digit_a, digit_b):
    def enlarged(pixels, scale):
        return np.kron(pixels, np.ones((scale, scale), np.uint8))

    for command in (
        ["generate", "--random", 5, "--seed", 0],
        ["manifold", "--n", 3],
        ["reconstruct", digit_a, digit_b],
        ["interpolate", digit_a, digit_b, "--steps", 3],
    ):
        assert_ok(run_cli(*command, "--out", tmp_path / "small.png"))
        assert_ok(run_cli(*command, "--scale", 3, "--out", tmp_path / "large.png"))
        small = png_pixels(tmp_path / "small.png")
        np.testing.assert_array_equal(png_pixels(tmp_path / "large.png"), enlarged(small, 3))
    assert_ok(run_cli("generate", "--z", "0,0", "--each", "--scale", 4, "--out", tmp_path / "each"))
    one = png_pixels(tmp_path / "each" / "digit-0000.png")
    np.testing.assert_array_equal(one, enlarged(np.round(Generator().generate([0, 0])[0] * 255), 4))
    assert_ok(run_cli("encode", digit_a, "--show-input", tmp_path / "seen.png", "--scale", 2))
    assert png_pixels(tmp_path / "seen.png").shape == (56, 56)


def test_generate_the_ten_digits_in_a_row_and_in_rows(tmp_path):
    assert_ok(run_cli("generate", "--digits", "--out", tmp_path / "row.png"))
    row = png_pixels(tmp_path / "row.png")
    assert row.shape == (32, 10 * 30 + 2)
    np.testing.assert_allclose(
        row[2:30, 2 + 7 * 30 : 30 + 7 * 30], np.round(Generator().digits()[7] * 255), atol=1
    )
    assert_ok(run_cli("generate", "--digits", "--random", 3, "--seed", 1, "--out", tmp_path / "rows.png"))
    rows = png_pixels(tmp_path / "rows.png")
    assert rows.shape == (10 * 30 + 2, 3 * 30 + 2)
    first_nine = np.round(Generator().sample(3, seed=1, digit=9)[0] * 255)
    np.testing.assert_allclose(rows[2 + 9 * 30 : 30 + 9 * 30, 2:30], first_nine, atol=1)


def test_manifold(tmp_path):
    assert_ok(run_cli("manifold", "--n", 5, "--span", 0.9, "--out", tmp_path / "manifold.png"))
    grid = png_pixels(tmp_path / "manifold.png")
    assert grid.shape == (5 * 28, 5 * 28)
    # top-left cell: lowest x, highest y (the 0.1 and 0.9 quantiles of the prior's marginals)
    generator = Generator()
    (low_x, _), (_, high_y) = generator.prior.quantiles([0.1, 0.9])
    corner = np.round(generator.generate([low_x, high_y])[0] * 255)
    np.testing.assert_allclose(grid[:28, :28], corner, atol=1)


def test_reconstruct(tmp_path, digit_a, digit_b):
    assert_ok(run_cli("reconstruct", digit_a, digit_b, "--out", tmp_path / "compare.png"))
    grid = png_pixels(tmp_path / "compare.png")
    assert grid.shape == (2 * 30 + 2, 2 * 30 + 2)
    np.testing.assert_allclose(grid[2:30, 2:30], np.round(load_digit(digit_a) * 255), atol=1)
    z_mean, _ = Encoder().encode(load_digit(digit_b))
    np.testing.assert_allclose(grid[32:60, 32:60], np.round(Generator().generate(z_mean)[0] * 255), atol=1)


def test_interpolate(tmp_path, digit_a, digit_b):
    assert_ok(run_cli("interpolate", digit_a, digit_b, "--steps", 4, "--out", tmp_path / "strip.png"))
    strip = png_pixels(tmp_path / "strip.png")
    assert strip.shape == (32, 4 * 30 + 2)
    z_mean, _ = Encoder().encode(np.stack([load_digit(digit_a), load_digit(digit_b)]))
    ends = np.round(Generator().generate(z_mean) * 255)
    np.testing.assert_allclose(strip[2:30, 2:30], ends[0], atol=1)
    np.testing.assert_allclose(strip[2:30, 92:120], ends[1], atol=1)


def test_info_text_and_json(model_dir):
    text = run_cli("info")
    assert_ok(text)
    assert "latent    2 dimensions, images 28x28" in text.stdout
    assert "generator.onnx" in text.stdout and "encoder.int8.onnx" in text.stdout
    assert "digits    anchors for 0-9" in text.stdout
    described = run_cli("info", model_dir, "--format", "json")
    assert_ok(described)
    info = json.loads(described.stdout)
    assert info["latent_dim"] == 2 and info["format_version"] == 2
    assert {entry["name"]: entry["status"] for entry in info["files"]}["generator.onnx"] == "ok"


def test_info_reports_missing_files_and_works_without_manifest(tmp_path, model_dir):
    """A listed file that is absent shows as missing; without a manifest, info reads the model files.

    (A changed file: hostile/test_hostile_json.py,
    test_info_fails_when_a_file_fails_its_checks_and_still_reports.)
    """
    folder = copy_model(model_dir, tmp_path / "model", names=FLOAT32_FILES)
    statuses = {
        entry["name"]: entry["status"]
        for entry in json.loads(run_cli("info", folder, "--format", "json").stdout)["files"]
    }
    assert statuses["generator.onnx"] == "ok" and statuses["generator.int8.onnx"] == "missing"
    (folder / "manifest.json").unlink()
    info = json.loads(run_cli("info", "--model-dir", folder, "--format", "json").stdout)
    assert info["latent_dim"] == 2 and info["image_shape"] == [28, 28]


def test_bench(model_dir):
    result = run_cli(
        "bench", "--batches", "1,4", "--seconds", 0.02, "--format", "json", "--model-dir", model_dir
    )
    assert_ok(result)
    rows = json.loads(result.stdout)
    assert [(row["operation"], row["batch"]) for row in rows] == [
        ("generate", 1),
        ("encode", 1),
        ("generate", 4),
        ("encode", 4),
    ]
    assert all(row["median_ms"] > 0 and row["p90_ms"] >= row["median_ms"] for row in rows)
    table = run_cli("bench", "--batches", "2", "--seconds", 0.02)
    assert_ok(table)
    assert table.stdout.splitlines()[0].split() == [
        "operation",
        "batch",
        "median",
        "ms",
        "p90",
        "ms",
        "images/s",
    ]
