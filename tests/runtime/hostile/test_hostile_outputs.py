"""Outputs that are not plain files, outputs that are also inputs, names too long, and suffixes: every
picture command writes what its suffix names, or refuses."""

import io
import json
import os
import stat
import threading
from pathlib import Path

import numpy as np
import pytest
from edgevae.runtime import save_grid, save_png
from PIL import Image

from helpers import OLD_OUTPUT, cli_case, run_cli_on_terminal, snapshot


@pytest.mark.parametrize(
    "args, words",
    [
        cli_case("generate-dev-full", "generate --random 2 --out /dev/full", "/dev/full", "no space left",
                 marks=pytest.mark.subprocess),
        cli_case("encode-dev-full", "encode a.png --format csv --out /dev/full", "/dev/full", "no space"),
        cli_case("manifold-dev-full", "manifold --n 3 --out /dev/full", "/dev/full", "no space left"),
        cli_case("absent-device", "generate --random 2 --out /dev/edgevae-no-such.png", "no such file"),
        cli_case("encode-own-input", "encode a.png --format json --out a.png", "a.png", "also an input"),
        cli_case("encode-own-input-other-spelling",
                 "encode a.png --format csv --out ./model/../a.png", "also an input"),
        cli_case("encode-npy-own-input", "encode a.png --format npy --out a.png", "also an input"),
        cli_case("reconstruct-own-input", "reconstruct a.png b.png --out b.png", "b.png", "also an input"),
        cli_case("interpolate-own-input", "interpolate a.png b.png --out a.png", "a.png", "also an input"),
        cli_case("generate-own-latents",
                 "generate --from latents.npy --out latents.npy", "latents.npy", "also an input"),
        cli_case("encode-over-its-model",
                 "encode a.png --format csv --model-dir model --out model/encoder.onnx", "input"),
        cli_case("encode-into-a-folder", "encode a.png --format json --out model", "it is a folder"),
        cli_case("symlink-to-a-folder", "generate --random 2 --out folder-link.png", "it is a folder"),
        cli_case("symlink-loop", "generate --random 2 --out loop.png", "symbolic links"),
        cli_case("symlink-to-the-input", "reconstruct a.png --out link-to-a.png", "also an input"),
        cli_case("hard-link-to-the-input", "reconstruct a.png --out hard-link-to-a.png", "also an input"),
        cli_case("name-300-characters", f"generate --random 2 --out {'n' * 300}.png", "304 bytes", "255"),
        cli_case("name-404-bytes", f"encode a.png --format csv --out {'é' * 200}.csv", "404 bytes long"),
    ],
)  # fmt: skip
def test_outputs_refused(work, fails, args, words):
    (work / "folder").mkdir()
    (work / "folder-link.png").symlink_to("folder")
    (work / "loop.png").symlink_to("loop.png")
    (work / "link-to-a.png").symlink_to("a.png")
    os.link(work / "a.png", work / "hard-link-to-a.png")
    fails(args, *words)
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)  # the device node is still a device
    assert not Path("/dev/edgevae-no-such.png").exists()


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["generate", "--random", 2, "--out", "/dev/null"], id="generate"),
        pytest.param(["manifold", "--n", 3, "--out", "/dev/null"], id="manifold"),
        pytest.param(["encode", "a.png", "--format", "npy", "--out", "/dev/null"], id="encode-npy"),
    ],
)
def test_dev_null_stays_a_device(succeeds, args):
    succeeds(args)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


@pytest.mark.parametrize(
    "args, kind",
    [
        pytest.param(["generate", "--random", 4, "--out", "-"], "png", id="generate-dash"),
        pytest.param(
            ["generate", "--random", 4, "--out", "/dev/stdout"],
            "png",
            id="generate-dev-stdout",
            marks=pytest.mark.subprocess,  # /dev/stdout is the process's file descriptor 1
        ),
        pytest.param(["manifold", "--n", 3, "--out", "-"], "png", id="manifold"),
        pytest.param(["reconstruct", "a.png", "--out", "-"], "png", id="reconstruct"),
        pytest.param(["interpolate", "a.png", "b.png", "--steps", 3, "--out", "-"], "png", id="interpolate"),
        pytest.param(["encode", "a.png", "b.png", "--format", "npy", "--out", "-"], "npy", id="encode-npy"),
        pytest.param(["encode", "a.png", "--format", "json", "--out", "-"], "json", id="encode-json"),
    ],
)
def test_standard_output_for_piping(work, cli, args, kind):
    before = snapshot(work)
    result = cli(*args, cwd=work, text=False)
    assert result.returncode == 0 and result.stderr == b"", result.stderr
    if kind == "png":
        assert result.stdout.startswith(b"\x89PNG\r\n\x1a\n")
    elif kind == "npy":
        assert np.load(io.BytesIO(result.stdout)).shape == (2, 2)
    else:
        assert len(json.loads(result.stdout)) == 1
    assert snapshot(work) == before  # no file named "-", nothing else either


@pytest.mark.parametrize(
    "args, refused",
    [
        pytest.param(["generate", "--random", 2, "--out", "-"], True, id="png"),
        pytest.param(["encode", "a.png", "--format", "npy", "--out", "-"], True, id="npy"),
        pytest.param(["encode", "a.png", "--format", "csv", "--out", "-"], False, id="csv-is-text"),
    ],
)
def test_binary_output_never_lands_on_a_terminal(work, args, refused):
    status, stderr, shown = run_cli_on_terminal(args, work, "stdout")
    if refused:
        assert (
            status == 1
            and stderr.strip()
            == "Error: cannot write binary data to /dev/stdout: it is a terminal (redirect or pipe it)"
        )
        assert shown == b""
    else:
        assert status == 0 and stderr == "" and b"z_mean_0" in shown


def test_a_fifo_is_written_in_place(work, succeeds):
    fifo = work / "pipe.png"
    os.mkfifo(fifo)
    received = bytearray()
    reader = threading.Thread(target=lambda: received.extend(fifo.read_bytes()), daemon=True)
    reader.start()
    succeeds(["generate", "--random", 4, "--out", "pipe.png"])
    reader.join(timeout=60)
    assert bytes(received).startswith(b"\x89PNG") and stat.S_ISFIFO(fifo.lstat().st_mode)


@pytest.mark.parametrize(
    "target",
    [
        pytest.param("old.png", id="existing"),
        pytest.param("missing.png", id="dangling"),
        pytest.param("sub/old.png", id="elsewhere"),
    ],
)
def test_a_symlink_is_written_through(work, succeeds, target):
    (work / "sub").mkdir()
    (work / "sub" / "old.png").write_bytes(OLD_OUTPUT)
    (work / "link.png").symlink_to(target)
    succeeds(["generate", "--random", 4, "--out", "link.png"])
    assert (work / "link.png").is_symlink() and os.readlink(work / "link.png") == target
    assert Image.open(work / target).format == "PNG"


def test_a_replaced_output_keeps_its_permissions(work, succeeds):
    (work / "old.png").chmod(0o600)
    succeeds(["generate", "--random", 1, "--out", "old.png"])
    assert stat.S_IMODE((work / "old.png").stat().st_mode) == 0o600
    assert Image.open(work / "old.png").format == "PNG"


@pytest.mark.parametrize(
    "name",
    [pytest.param("n" * 251 + ".png", id="255-bytes"), pytest.param("é" * 125 + ".png", id="254-bytes-utf8")],
)
def test_the_longest_names_are_written(work, succeeds, name):
    """The temporary file beside them (.NAME.RANDOM.tmp) is shortened to fit."""
    succeeds(["generate", "--random", 1, "--out", name])
    assert Image.open(work / name).format == "PNG"


def test_each_into_standard_output_is_a_usage_error(fails):
    fails(["generate", "--random", 2, "--each", "--out", "-"], "--each", exit_code=2)


def test_api_outputs_that_are_not_plain_files(work, api_fails):
    api_fails(lambda work: save_grid(np.zeros((2, 28, 28)), "/dev/full"), "no space left")
    (work / "loop.png").symlink_to("loop.png")
    api_fails(lambda work: save_png(np.zeros((28, 28)), work / "loop.png"), "symbolic links")
    api_fails(lambda work: save_png(np.zeros((28, 28)), work / ("n" * 300 + ".png")), "bytes long")
    api_fails(lambda work: save_png(np.zeros((28, 28)), str(work / "a\0b.png")), "NUL")
    save_png(np.zeros((28, 28)), "/dev/null")
    (work / "link.png").symlink_to("old.png")
    save_png(np.ones((28, 28)), work / "link.png")
    assert (work / "link.png").is_symlink() and Image.open(work / "old.png").format == "PNG"


# --- suffixes ------------------------------------------------------------------------------------

PICTURE_SUFFIXES = {
    ".png": "PNG", ".PNG": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP", ".bmp": "BMP",
    ".tif": "TIFF", ".tiff": "TIFF", ".gif": "GIF",
}  # fmt: skip
COMMANDS = {
    "generate": (["--random", 4], (4, 28, 28)),
    "manifold": (["--n", 3], (3, 3, 28, 28)),
    "reconstruct": (["a.png", "b.png"], (2, 2, 28, 28)),
    "interpolate": (["a.png", "b.png", "--steps", 3], (3, 28, 28)),
}


@pytest.mark.parametrize("suffix", PICTURE_SUFFIXES)
def test_generate_writes_the_format_its_suffix_names(work, succeeds, suffix):
    succeeds(["generate", "--random", 4, "--out", f"grid{suffix}"])
    picture = Image.open(work / f"grid{suffix}")
    assert picture.format == PICTURE_SUFFIXES[suffix] and picture.size == (62, 62)


@pytest.mark.parametrize("command", ["manifold", "reconstruct", "interpolate"])
@pytest.mark.parametrize("suffix", [".jpg", ".webp", ".npy"])
def test_every_picture_command_writes_the_format_its_suffix_names(work, succeeds, command, suffix):
    arguments, shape = COMMANDS[command]
    succeeds([command, *arguments, "--out", f"out{suffix}"])
    if suffix == ".npy":
        images = np.load(work / "out.npy")
        assert images.shape == shape and images.dtype == np.float32 and 0 <= images.min() <= images.max() <= 1
    else:
        assert Image.open(work / f"out{suffix}").format == PICTURE_SUFFIXES[suffix]


@pytest.mark.parametrize(
    "command, name",
    [
        pytest.param("generate", "out.txt", id="generate-txt"),
        pytest.param("generate", "no-suffix", id="generate-no-suffix"),
        pytest.param("generate", "out.svg", id="generate-svg"),
        pytest.param("generate", "out.onnx", id="generate-onnx"),
        pytest.param("manifold", "out.pdf", id="manifold-pdf"),
        pytest.param("reconstruct", "out.npz", id="reconstruct-npz"),
        pytest.param("interpolate", "out.png.bak", id="interpolate-png-bak"),
    ],
)
def test_unknown_suffixes_are_refused_naming_the_allowed_ones(fails, command, name):
    arguments, _ = COMMANDS[command]
    fails([command, *arguments, "--out", name],
          ".png, .jpg, .jpeg, .webp, .bmp, .tif, .tiff, .gif or .npy", exit_code=2)  # fmt: skip


def test_api_writers_follow_the_suffix_too(work, api_fails):
    save_grid(np.zeros((3, 28, 28)), work / "grid.jpg")
    save_png(np.zeros((28, 28)), work / "one.tif")
    assert Image.open(work / "grid.jpg").format == "JPEG" and Image.open(work / "one.tif").format == "TIFF"
    api_fails(lambda work: save_grid(np.zeros((3, 28, 28)), work / "grid.txt"), "'.txt' is not a picture")
    api_fails(lambda work: save_png(np.zeros((28, 28)), work / "one"), "no suffix", ".png")
