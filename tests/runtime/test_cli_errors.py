"""Bad input: one 'Error:' line, a non-zero exit, no traceback, and no output file.

In this process (click's CliRunner), but for one real CLI process per kind of failure: a bad picture,
a bad model, a usage error."""

import shutil

import pytest
from PIL import Image

from helpers import (
    FLOAT32_FILES,
    assert_clean_failure,
    assert_usage_failure,
    cli_case,
    copy_model,
    run_cli,
    run_cli_in_process,
)


@pytest.fixture
def out(tmp_path):
    """Where a failing command was asked to write; the test checks it never appears."""
    path = tmp_path / "out" / "result.png"
    path.parent.mkdir()
    yield path
    assert list(path.parent.iterdir()) == []


def test_missing_image(tmp_path, out):
    assert_clean_failure(run_cli("reconstruct", tmp_path / "missing.png", "--out", out), "no such file")


@pytest.mark.parametrize("name", ["notes.txt", "fake.png"])
def test_a_file_that_is_not_an_image(tmp_path, out, name):
    (tmp_path / name).write_text("just some text\n")
    assert_clean_failure(run_cli_in_process("reconstruct", tmp_path / name, "--out", out), "not an image")


def test_an_empty_image_file(tmp_path, out):
    (tmp_path / "empty.png").write_bytes(b"")
    assert_clean_failure(
        run_cli_in_process("interpolate", tmp_path / "empty.png", tmp_path / "empty.png", "--out", out),
        "empty",
    )


def test_a_truncated_image(tmp_path, out, digit_a):
    data = digit_a.read_bytes()
    (tmp_path / "cut.png").write_bytes(data[: len(data) // 2])
    assert_clean_failure(run_cli_in_process("reconstruct", tmp_path / "cut.png", "--out", out), "truncated")


def test_a_blank_image(tmp_path, out):
    Image.new("RGB", (64, 64), "white").save(tmp_path / "blank.png")
    assert_clean_failure(run_cli_in_process("reconstruct", tmp_path / "blank.png", "--out", out), "no digit")


def test_a_decompression_bomb(tmp_path, out):
    Image.new("1", (8000, 6000)).save(tmp_path / "bomb.png")  # 48 megapixels in a few kilobytes
    assert_clean_failure(run_cli_in_process("reconstruct", tmp_path / "bomb.png", "--out", out), "too large")


def test_an_unreadable_image(tmp_path, out):
    (tmp_path / "folder.png").mkdir()
    assert_clean_failure(run_cli_in_process("encode", tmp_path / "folder.png"), "folder")


# Model loading: test_model_loading.py tests each behaviour through the API; here, one CLI check per
# kind of failure (a broken file, the wrong role, a missing file, a missing folder).


def test_a_corrupt_onnx_model_without_manifest(tmp_path, out, model_dir, digit_a):
    folder = copy_model(model_dir, tmp_path / "model", names=("generator.onnx",))
    (folder / "encoder.onnx").write_bytes(b"\x08garbage" * 100)
    result = run_cli("reconstruct", digit_a, "--out", out, "--model-dir", folder)
    assert_clean_failure(result, "encoder.onnx: not a valid ONNX model")


def test_a_generator_where_an_encoder_is_expected(tmp_path, out, model_dir, digit_a):
    folder = copy_model(model_dir, tmp_path / "model", names=("generator.onnx",))
    shutil.copy(model_dir / "generator.onnx", folder / "encoder.onnx")
    result = run_cli_in_process("reconstruct", digit_a, "--out", out, "--model-dir", folder)
    assert_clean_failure(result, "is a generator model", "an encoder model is needed")


def test_missing_int8_files(tmp_path, out, model_dir):
    folder = copy_model(model_dir, tmp_path / "model", names=FLOAT32_FILES)
    result = run_cli_in_process("manifold", "--out", out, "--model-dir", folder, "--int8")
    assert_clean_failure(result, "generator.int8.onnx not found")


def test_a_missing_model_folder(tmp_path, out):
    assert_usage_failure(
        run_cli("generate", "--random", 2, "--out", out, "--model-dir", tmp_path / "nowhere"),
        "does not exist",
    )


@pytest.mark.parametrize(
    "args, words",
    [
        cli_case("out-alone", "generate --out never.png", "exactly one of"),
        cli_case("random-and-z", "generate --random 2 --z 0,0 --out never.png", "exactly one of"),
        cli_case("seed-with-z", "generate --z 0,0 --seed 1 --out never.png", "--seed"),
        cli_case("random-zero", "generate --random 0 --out never.png", "--random"),
        cli_case("digit-with-z", "generate --z 0,0 --digit 3 --out never.png", "--digit"),
        cli_case("digit-with-from", "generate --from z.npy --digit 3 --out never.png", "--digit"),
        cli_case("digit-with-digits", "generate --digits --random 2 --digit 3 --out never.png", "--digit"),
        cli_case("digits-with-z", "generate --digits --z 0,0 --out never.png", "exactly one of"),
        cli_case("digit-ten", "generate --random 2 --digit 10 --out never.png", "--digit"),
        cli_case("scale-zero", "generate --random 2 --scale 0 --out never.png", "--scale"),
        cli_case("scale-for-npy", "generate --random 2 --scale 2 --out never.npy", "--scale"),
    ],
)
def test_generate_usage_errors(tmp_path, args, words):
    assert_usage_failure(run_cli_in_process(*args, cwd=tmp_path), *words)
    assert list(tmp_path.iterdir()) == []


def test_encode_npy_needs_out(digit_a):
    assert_usage_failure(run_cli_in_process("encode", digit_a, "--format", "npy"), "--out")


@pytest.mark.parametrize("command", ["generate", "manifold", "reconstruct", "interpolate", "encode"])
def test_an_output_folder_that_does_not_exist(tmp_path, digit_a, command):
    target = tmp_path / "missing" / "result.png"
    arguments = {
        "generate": ["--random", 2],
        "manifold": ["--n", 3],
        "reconstruct": [digit_a],
        "interpolate": [digit_a, digit_a],
        "encode": [digit_a, "--format", "json"],
    }[command]
    assert_clean_failure(run_cli_in_process(command, *arguments, "--out", target), "does not exist")
    assert not target.parent.exists()


@pytest.mark.parametrize("suffix", ["result.png", "result.npy"])
def test_an_output_folder_that_is_a_file(tmp_path, suffix):
    (tmp_path / "file.txt").write_text("a regular file\n")
    assert_clean_failure(
        run_cli_in_process("generate", "--random", 2, "--out", tmp_path / "file.txt" / suffix), "not a folder"
    )
    assert (tmp_path / "file.txt").read_text() == "a regular file\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["file.txt"]


def test_each_into_a_path_that_is_a_file(tmp_path):
    (tmp_path / "file.txt").write_text("a regular file\n")
    assert_clean_failure(
        run_cli_in_process("generate", "--random", 2, "--each", "--out", tmp_path / "file.txt"),
        "not a folder",
    )
