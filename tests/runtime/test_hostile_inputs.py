"""Hostile inputs and paths, class by class, through the CLI (real subprocesses) and the API.

Each case asserts the exact outcome: the exit status, a message naming the problem, no traceback,
nothing clobbered (inputs and existing outputs keep their bytes) and nothing left behind (no
temporary files). The work folder every CLI case runs in is snapshotted before and compared after.
"""

import hashlib
import json
import os
import pty
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from edgevae.runtime import EdgeVAEError, Encoder, Generator, load_digit, save_grid, save_png
from PIL import Image

from helpers import SECOND_STROKE, assert_clean_failure, assert_usage_failure, copy_model, draw_digit, run_cli
from onnx_builder import encoder_model, generator_model

CLI = [sys.executable, "-m", "edgevae.runtime.cli"]
OLD_OUTPUT = b"an existing output, which no failure may touch"


# --- the work folder and its snapshot ------------------------------------------------------------


@pytest.fixture
def work(tmp_path, model_dir):
    """a.png and b.png (digits), latents.npy, old.png (an earlier output),
    model/ (the bundled model's files)."""
    folder = tmp_path / "work"
    folder.mkdir()
    draw_digit(folder / "a.png")
    draw_digit(folder / "b.png", stroke=SECOND_STROKE)
    np.save(folder / "latents.npy", np.array([[0, 0], [1, -1]], dtype=np.float32))
    (folder / "old.png").write_bytes(OLD_OUTPUT)
    copy_model(model_dir, folder / "model")
    return folder


def snapshot(folder: Path) -> dict:
    """Every entry under `folder`, without following links: its type and its bytes' hash or link target."""
    entries = {}
    for root, folders, files in os.walk(folder):
        for name in folders + files:
            path = Path(root) / name
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                entries[str(path.relative_to(folder))] = ("link", os.readlink(path))
            elif stat.S_ISREG(mode):
                entries[str(path.relative_to(folder))] = (
                    "file",
                    hashlib.sha256(path.read_bytes()).hexdigest(),
                )
            else:
                entries[str(path.relative_to(folder))] = ("other", stat.S_IFMT(mode))
    return entries


def temporary_files(folder: Path) -> list:
    return [path for path in folder.rglob(".*.tmp")]


def fails(work, args, *words, exit_code=1):
    """The CLI refuses in one line (exit 1) or with a usage error (exit 2), and the folder is as it was."""
    before = snapshot(work)
    result = run_cli(*args, cwd=work)
    (assert_clean_failure if exit_code == 1 else assert_usage_failure)(result, *words)
    assert snapshot(work) == before
    return result


def succeeds(work, args) -> subprocess.CompletedProcess:
    result = run_cli(*args, cwd=work)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and result.stderr == ""
    assert temporary_files(work) == []
    return result


def api_fails(work, call, *words):
    before = snapshot(work)
    with pytest.raises(EdgeVAEError) as raised:
        call(work)
    for word in words:
        assert word.lower() in str(raised.value).lower(), str(raised.value)
    assert "\n" not in str(raised.value)
    assert snapshot(work) == before


def run_with_terminal(args, cwd, terminal: str) -> tuple[int, str, bytes]:
    """Run the CLI with stdout or stderr on a pseudo-terminal:
    (exit status, the other stream, terminal output)."""
    master, slave = pty.openpty()
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, terminal: slave}
    process = subprocess.Popen([*CLI, *map(str, args)], cwd=cwd, **streams)
    os.close(slave)
    seen = bytearray()
    reader = threading.Thread(target=drain, args=(master, seen), daemon=True)
    reader.start()
    other = (process.stderr if terminal == "stdout" else process.stdout).read()
    process.wait(timeout=300)
    reader.join(timeout=10)
    os.close(master)
    return process.returncode, other.decode(), bytes(seen)


def drain(descriptor, seen: bytearray):
    while True:
        try:
            data = os.read(descriptor, 65536)
        except OSError:  # EIO once the other side is closed
            return
        if not data:
            return
        seen += data


# --- 1. outputs that are not plain files ---------------------------------------------------------


@pytest.mark.parametrize(
    "args, words",
    [
        (["generate", "--random", 2, "--out", "/dev/full"], ["/dev/full", "no space left"]),
        (["encode", "a.png", "--format", "csv", "--out", "/dev/full"], ["/dev/full", "no space left"]),
        (["manifold", "--n", 3, "--out", "/dev/full"], ["/dev/full", "no space left"]),
        (["generate", "--random", 2, "--out", "/dev/edgevae-no-such-device.png"], ["no such file"]),
        (["encode", "a.png", "--format", "json", "--out", "a.png"], ["a.png", "also an input"]),
        (["encode", "a.png", "--format", "csv", "--out", "./model/../a.png"], ["also an input"]),
        (["encode", "a.png", "--format", "npy", "--out", "a.png"], ["also an input"]),
        (["reconstruct", "a.png", "b.png", "--out", "b.png"], ["b.png", "also an input"]),
        (["interpolate", "a.png", "b.png", "--out", "a.png"], ["a.png", "also an input"]),
        (["generate", "--from", "latents.npy", "--out", "latents.npy"], ["latents.npy", "also an input"]),
        (
            ["encode", "a.png", "--format", "csv", "--model-dir", "model", "--out", "model/encoder.onnx"],
            ["input"],
        ),
        (["encode", "a.png", "--format", "json", "--out", "model"], ["it is a folder"]),
        (["generate", "--random", 2, "--out", "folder-link.png"], ["it is a folder"]),
        (["generate", "--random", 2, "--out", "loop.png"], ["symbolic links"]),
        (["reconstruct", "a.png", "--out", "link-to-a.png"], ["also an input"]),
        (["reconstruct", "a.png", "--out", "hard-link-to-a.png"], ["also an input"]),
    ],
    ids=[
        "generate-dev-full",
        "encode-dev-full",
        "manifold-dev-full",
        "absent-device",
        "encode-own-input",
        "encode-own-input-other-spelling",
        "encode-npy-own-input",
        "reconstruct-own-input",
        "interpolate-own-input",
        "generate-own-latents",
        "encode-over-its-model",
        "encode-into-a-folder",
        "symlink-to-a-folder",
        "symlink-loop",
        "symlink-to-the-input",
        "hard-link-to-the-input",
    ],
)
def test_outputs_refused(work, args, words):
    (work / "folder").mkdir()
    (work / "folder-link.png").symlink_to("folder")
    (work / "loop.png").symlink_to("loop.png")
    (work / "link-to-a.png").symlink_to("a.png")
    os.link(work / "a.png", work / "hard-link-to-a.png")
    fails(work, args, *words)
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)  # the device node is still a device
    assert not Path("/dev/edgevae-no-such-device.png").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["generate", "--random", 2, "--out", "/dev/null"],
        ["manifold", "--n", 3, "--out", "/dev/null"],
        ["encode", "a.png", "--format", "npy", "--out", "/dev/null"],
    ],
    ids=["generate", "manifold", "encode-npy"],
)
def test_dev_null_stays_a_device(work, args):
    succeeds(work, args)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


@pytest.mark.parametrize(
    "args, kind",
    [
        (["generate", "--random", 4, "--out", "-"], "png"),
        (["generate", "--random", 4, "--out", "/dev/stdout"], "png"),
        (["manifold", "--n", 3, "--out", "-"], "png"),
        (["reconstruct", "a.png", "--out", "-"], "png"),
        (["interpolate", "a.png", "b.png", "--steps", 3, "--out", "-"], "png"),
        (["encode", "a.png", "b.png", "--format", "npy", "--out", "-"], "npy"),
        (["encode", "a.png", "--format", "json", "--out", "-"], "json"),
    ],
    ids=[
        "generate-dash",
        "generate-dev-stdout",
        "manifold",
        "reconstruct",
        "interpolate",
        "encode-npy",
        "encode-json",
    ],
)
def test_standard_output_for_piping(work, args, kind):
    before = snapshot(work)
    result = subprocess.run([*CLI, *map(str, args)], cwd=work, capture_output=True, timeout=300)
    assert result.returncode == 0 and result.stderr == b"", result.stderr
    if kind == "png":
        assert result.stdout.startswith(b"\x89PNG\r\n\x1a\n")
    elif kind == "npy":
        import io

        assert np.load(io.BytesIO(result.stdout)).shape == (2, 2)
    else:
        assert len(json.loads(result.stdout)) == 1
    assert snapshot(work) == before  # no file named "-", nothing else either


@pytest.mark.parametrize(
    "args, refused",
    [
        (["generate", "--random", 2, "--out", "-"], True),
        (["encode", "a.png", "--format", "npy", "--out", "-"], True),
        (["encode", "a.png", "--format", "csv", "--out", "-"], False),
    ],
    ids=["png", "npy", "csv-is-text"],
)
def test_binary_output_never_lands_on_a_terminal(work, args, refused):
    status, stderr, shown = run_with_terminal(args, work, "stdout")
    if refused:
        assert (
            status == 1
            and stderr.strip()
            == "Error: cannot write binary data to /dev/stdout: it is a terminal (redirect or pipe it)"
        )
        assert shown == b""
    else:
        assert status == 0 and stderr == "" and b"z_mean_0" in shown


def test_a_fifo_is_written_in_place(work):
    fifo = work / "pipe.png"
    os.mkfifo(fifo)
    received = bytearray()
    reader = threading.Thread(target=lambda: received.extend(fifo.read_bytes()), daemon=True)
    reader.start()
    succeeds(work, ["generate", "--random", 4, "--out", "pipe.png"])
    reader.join(timeout=60)
    assert bytes(received).startswith(b"\x89PNG") and stat.S_ISFIFO(fifo.lstat().st_mode)


@pytest.mark.parametrize(
    "target", ["old.png", "missing.png", "sub/old.png"], ids=["existing", "dangling", "elsewhere"]
)
def test_a_symlink_is_written_through(work, target):
    (work / "sub").mkdir()
    (work / "sub" / "old.png").write_bytes(OLD_OUTPUT)
    (work / "link.png").symlink_to(target)
    succeeds(work, ["generate", "--random", 4, "--out", "link.png"])
    assert (work / "link.png").is_symlink() and os.readlink(work / "link.png") == target
    assert Image.open(work / target).format == "PNG"


def test_a_replaced_output_keeps_its_permissions(work):
    (work / "old.png").chmod(0o600)
    succeeds(work, ["generate", "--random", 1, "--out", "old.png"])
    assert stat.S_IMODE((work / "old.png").stat().st_mode) == 0o600
    assert Image.open(work / "old.png").format == "PNG"


def test_each_into_standard_output_is_a_usage_error(work):
    fails(work, ["generate", "--random", 2, "--each", "--out", "-"], "--each", exit_code=2)


def test_api_outputs_that_are_not_plain_files(work):
    api_fails(work, lambda work: save_grid(np.zeros((2, 28, 28)), "/dev/full"), "no space left")
    (work / "loop.png").symlink_to("loop.png")
    api_fails(work, lambda work: save_png(np.zeros((28, 28)), work / "loop.png"), "symbolic links")
    save_png(np.zeros((28, 28)), "/dev/null")
    (work / "link.png").symlink_to("old.png")
    save_png(np.ones((28, 28)), work / "link.png")
    assert (work / "link.png").is_symlink() and Image.open(work / "old.png").format == "PNG"


# --- 2. suffixes: every picture command writes what its suffix names, or refuses -------------------

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
def test_generate_writes_the_format_its_suffix_names(work, suffix):
    succeeds(work, ["generate", "--random", 4, "--out", f"grid{suffix}"])
    picture = Image.open(work / f"grid{suffix}")
    assert picture.format == PICTURE_SUFFIXES[suffix] and picture.size == (62, 62)


@pytest.mark.parametrize("command", ["manifold", "reconstruct", "interpolate"])
@pytest.mark.parametrize("suffix", [".jpg", ".webp", ".npy"])
def test_every_picture_command_writes_the_format_its_suffix_names(work, command, suffix):
    arguments, shape = COMMANDS[command]
    succeeds(work, [command, *arguments, "--out", f"out{suffix}"])
    if suffix == ".npy":
        images = np.load(work / "out.npy")
        assert images.shape == shape and images.dtype == np.float32 and 0 <= images.min() <= images.max() <= 1
    else:
        assert Image.open(work / f"out{suffix}").format == PICTURE_SUFFIXES[suffix]


@pytest.mark.parametrize(
    "command, name",
    [
        ("generate", "out.txt"),
        ("generate", "no-suffix"),
        ("generate", "out.svg"),
        ("generate", "out.onnx"),
        ("manifold", "out.pdf"),
        ("reconstruct", "out.npz"),
        ("interpolate", "out.png.bak"),
    ],
)
def test_unknown_suffixes_are_refused_naming_the_allowed_ones(work, command, name):
    arguments, _ = COMMANDS[command]
    fails(work, [command, *arguments, "--out", name],
          ".png, .jpg, .jpeg, .webp, .bmp, .tif, .tiff, .gif or .npy", exit_code=2)  # fmt: skip


def test_api_writers_follow_the_suffix_too(work):
    save_grid(np.zeros((3, 28, 28)), work / "grid.jpg")
    save_png(np.zeros((28, 28)), work / "one.tif")
    assert Image.open(work / "grid.jpg").format == "JPEG" and Image.open(work / "one.tif").format == "TIFF"
    api_fails(
        work, lambda work: save_grid(np.zeros((3, 28, 28)), work / "grid.txt"), "'.txt' is not a picture"
    )
    api_fails(work, lambda work: save_png(np.zeros((28, 28)), work / "one"), "no suffix", ".png")


# --- 3. resource bombs ---------------------------------------------------------------------------


def npy_with_header(path: Path, shape, descr="<f4", data=b"") -> Path:
    """An .npy file whose header claims `shape`, followed by `data`: a lie unless the data fits."""
    with open(path, "wb") as file:
        np.lib.format.write_array_header_1_0(file, {"descr": descr, "fortran_order": False, "shape": shape})
        file.write(data)
    return path


@pytest.mark.parametrize(
    "args, words",
    [
        (["generate", "--random", 2, "--out", "x.png", "--threads", 1000000], ["--threads", "1<=x<=256"]),
        (["encode", "a.png", "--threads", 257], ["--threads", "256"]),
        (["reconstruct", "a.png", "--out", "x.png", "--threads", 0], ["--threads"]),
        (["manifold", "--out", "x.png", "--threads", -1], ["--threads"]),
        (["bench", "--threads", 100000], ["--threads"]),
        (["generate", "--random", 10**12, "--out", "x.npy"], ["--random", "100000000"]),
        (["generate", "--random", 2**70, "--out", "x.npy"], ["--random"]),
        (["bench", "--batches", 10**7], ["--batches", "65,536"]),
        (["bench", "--batches", "1,70000"], ["--batches"]),
        (["bench", "--seconds", "inf"], ["--seconds"]),
        (["bench", "--seconds", 10**9], ["--seconds"]),
    ],
    ids=[
        "threads-million",
        "threads-257",
        "threads-zero",
        "threads-negative",
        "bench-threads",
        "random-trillion",
        "random-2-to-70",
        "bench-batch-ten-million",
        "bench-batch-70000",
        "bench-seconds-infinite",
        "bench-seconds-billion",
    ],
)
def test_absurd_requests_are_usage_errors(work, args, words):
    fails(work, args, *words, exit_code=2)


@pytest.mark.parametrize(
    "args, words",
    [
        (["generate", "--random", 200000, "--out", "huge.png"], ["too large", "megapixels", ".npy"]),
        (["generate", "--random", 1000, "--columns", 1000, "--out", "wide.webp"], ["too large", "16,383"]),
        (["generate", "--random", 3000, "--columns", 3000, "--out", "wide.jpg"], ["too large", "65,535"]),
    ],
    ids=["grid-200000", "webp-too-wide", "jpeg-too-wide"],
)
def test_pictures_too_large_to_hold_are_refused(work, args, words):
    fails(work, args, *words)


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda path: npy_with_header(path, (10**12, 2)), ["header lies"]),
        (lambda path: npy_with_header(path, (2**62, 2), data=b"\0" * 64), ["header lies"]),
        (lambda path: npy_with_header(path, (2, 2), data=b"\0" * 8), ["truncated"]),
        (lambda path: npy_with_header(path, (2, 2), data=b"\0" * 24), ["header lies"]),
        (lambda path: npy_with_header(path, (2, 2, 2), data=b"\0" * 32), ["[n, latent]", "[2, 2, 2]"]),
        (lambda path: npy_with_header(path, (2,), "|O", b"\0" * 16), ["not a .npy array", "Python objects"]),
        (lambda path: npy_with_header(path, (2, 2), "<c8", b"\0" * 32), ["real numbers", "complex"]),
        (lambda path: npy_with_header(path, (2,), [("x", "<f4"), ("y", "<f4")], b"\0" * 16), ["numeric"]),
        (lambda path: npy_with_header(path, (0, 2)), ["no latents"]),
        (
            lambda path: path.write_bytes(b"\x93NUMPY\x01\x00" + b"\xff\xff" + b" " * 65535),
            ["not a .npy array"],
        ),
        (lambda path: path.write_bytes(b"\x93NUMPY\x09\x00rest"), ["not a .npy array"]),
        (lambda path: np.save(path, np.array([[0, 0], [np.inf, 0]])), ["infinity"]),
        (lambda path: np.save(path, np.zeros((3, 5))), ["5 values"]),
    ],
    ids=[
        "claims-a-trillion-rows",
        "claims-2-to-62-rows",
        "truncated",
        "trailing-bytes",
        "three-dimensional",
        "pickled-objects",
        "complex",
        "structured",
        "empty",
        "header-bomb",
        "unknown-version",
        "infinite",
        "wrong-latent-size",
    ],
)
def test_hostile_latent_files(work, make, words):
    make(work / "hostile.npy")
    fails(work, ["generate", "--from", "hostile.npy", "--out", "old.png"], *words)


def test_api_refuses_absurd_requests(work):
    api_fails(work, lambda work: Generator(threads=10**6), "threads", "256")
    api_fails(work, lambda work: Encoder(threads=0), "threads")
    api_fails(work, lambda work: Generator(threads=True), "threads")
    api_fails(work, lambda work: Generator(threads=2.5), "threads")
    api_fails(work, lambda work: Generator().sample(10**12), "at most 100,000,000")


def test_a_big_job_runs_in_bounded_memory(work):
    """120,000 images are 376 MB as .npy; written in chunks, the process stays far below that."""
    # VmHWM, not getrusage's ru_maxrss: Linux carries the parent's peak (pytest's, with MNIST loaded) into
    # a child's ru_maxrss across exec, while VmHWM belongs to the child's own address space.
    code = (
        "import re, sys\n"
        "from edgevae.runtime.cli import main\n"
        "sys.argv = ['edgevae', *sys.argv[1:]]\n"
        "try:\n    main()\nfinally:\n"
        "    status = open('/proc/self/status').read()\n"
        "    print('PEAK', int(re.search(r'VmHWM:\\s*(\\d+)', status)[1]) // 1024, file=sys.stderr)\n"
    )
    args = ["generate", "--random", "120000", "--seed", "7", "--out", "big.npy"]
    result = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=work, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr
    peak_mib = int(result.stderr.split("PEAK")[-1])
    images = np.load(work / "big.npy", mmap_mode="r")
    assert images.shape == (120000, 28, 28) and images.nbytes / 2**20 > 350
    assert peak_mib < 300, peak_mib
    generator = Generator()
    np.testing.assert_array_equal(
        images[-3:], generator.sample(120000, seed=7)[-3:]
    )  # chunks join up exactly


def test_progress_shows_on_a_terminal_only(work):
    status, stdout, shown = run_with_terminal(
        ["generate", "--random", 40000, "--out", "many.npy"], work, "stderr"
    )
    assert status == 0 and stdout == "wrote 40000 images to many.npy\n"
    assert b"40,000/40,000 images" in shown and b"16,384/40,000" in shown
    result = succeeds(work, ["generate", "--random", 40000, "--out", "many.npy"])  # a pipe: no progress
    assert result.stderr == ""


# --- 4. tracebacks that escaped ------------------------------------------------------------------


def float_tiff(path: Path, special: float) -> Path:
    values = np.zeros((40, 40), dtype=np.float32)
    values[5:35, 15:25] = 1.0
    values[0, 0] = special
    Image.fromarray(values, mode="F").save(path)
    return path


@pytest.mark.parametrize(
    "args, words, exit_code",
    [
        (["generate", "--random", 2, "--seed", -1, "--out", "x.png"], ["--seed", "x>=0"], 2),
        (["generate", "--random", 2, "--seed", -(10**20), "--out", "x.png"], ["--seed"], 2),
        (["generate", "--random", 2, "--seed", 1.5, "--out", "x.png"], ["--seed"], 2),
        (["generate", "--random", 2, "--out", "n" * 300 + ".png"], ["304 bytes long", "255"], 1),
        (["encode", "a.png", "--format", "csv", "--out", "é" * 200 + ".csv"], ["404 bytes long"], 1),
        (["encode", "inf.tif"], ["inf.tif", "infinite"], 1),
        (["encode", "minus-inf.tif"], ["minus-inf.tif", "infinite"], 1),
        (["reconstruct", "nan.tif", "--out", "x.png"], ["nan.tif", "NaN"], 1),
    ],
    ids=[
        "seed-negative",
        "seed-huge-negative",
        "seed-not-whole",
        "name-300-characters",
        "name-404-bytes",
        "float-tiff-infinity",
        "float-tiff-minus-infinity",
        "float-tiff-nan",
    ],
)
def test_escaped_tracebacks(work, args, words, exit_code):
    for name, value in (("inf.tif", np.inf), ("minus-inf.tif", -np.inf), ("nan.tif", np.nan)):
        float_tiff(work / name, value)
    fails(work, args, *words, exit_code=exit_code)


@pytest.mark.parametrize(
    "name", ["n" * 251 + ".png", "é" * 125 + ".png"], ids=["255-bytes", "254-bytes-utf8"]
)
def test_the_longest_names_are_written(work, name):
    """The temporary file beside them (.NAME.RANDOM.tmp) is shortened to fit."""
    succeeds(work, ["generate", "--random", 1, "--out", name])
    assert Image.open(work / name).format == "PNG"


def test_api_escaped_tracebacks(work):
    float_tiff(work / "inf.tif", np.inf)
    api_fails(work, lambda work: load_digit(work / "inf.tif"), "inf.tif", "infinite")
    api_fails(work, lambda work: Generator().sample(2, seed=-1), "seed")
    api_fails(work, lambda work: Generator().sample(2, seed="seven"), "seed")
    api_fails(work, lambda work: save_png(np.zeros((28, 28)), work / ("n" * 300 + ".png")), "bytes long")
    api_fails(work, lambda work: save_png(np.zeros((28, 28)), str(work / "a\0b.png")), "NUL")


# Foreign models: the right tensor names, the wrong types or shapes, or metadata that lies.
GOOD_METADATA = {"latent_dim": "2", "image_shape": "[28, 28]"}
FOREIGN_MODELS = {
    "z-double": (generator_model(z=("double", ["batch", 2])), "z must be float32", "double"),
    "z-int32": (generator_model(z=("int32", ["batch", 2])), "z must be float32", "int32"),
    "z-rank-3": (generator_model(z=("float", ["batch", 1, 2])), "z must be float32 [batch, size]"),
    "z-static-batch": (generator_model(z=("float", [1, 2])), "dynamic batch"),
    "image-float16": (generator_model(image=("float16", ["batch", 784])), "image must be float32", "float16"),
    "image-double": (generator_model(image=("double", ["batch", 784])), "image must be float32"),
    "image-rank-3": (generator_model(image=("float", ["batch", 28, 28])), "image must be float32"),
    "image-static-batch": (generator_model(image=("float", [1, 784])), "dynamic batch"),
    "image-100-pixels": (
        generator_model(image=("float", ["batch", 100])),
        "no image_shape metadata",
        "100-pixel",
    ),
    "image-size-lies": (
        generator_model(metadata=GOOD_METADATA, output_sizes={"image": 10}),
        "image_shape metadata [28, 28]",
        "10 pixels",
    ),
    "latent-dim-lies": (generator_model(metadata={"latent_dim": "3"}), "latent_dim metadata '3'", "2 values"),
    "latent-dim-not-a-number": (generator_model(metadata={"latent_dim": "two"}), "latent_dim metadata 'two'"),
    "image-shape-lies": (
        generator_model(metadata={"image_shape": "[28, 29]"}),
        "image_shape metadata [28, 29]",
    ),
    "image-shape-negative": (generator_model(metadata={"image_shape": "[-28, -28]"}), "image_shape metadata"),
    "image-shape-zero": (generator_model(metadata={"image_shape": "[0, 0]"}), "image_shape metadata"),
    "image-shape-one-number": (generator_model(metadata={"image_shape": "[784]"}), "unreadable image_shape"),
    "image-shape-not-json": (generator_model(metadata={"image_shape": "28x28"}), "unreadable image_shape"),
    "image-shape-an-object": (
        generator_model(metadata={"image_shape": '{"h": 28}'}),
        "unreadable image_shape",
    ),
    "role-lies": (generator_model(metadata={"role": "encoder"}), "is an encoder model"),
    "encoder-image-int64": (encoder_model(image=("int64", ["batch", 784])), "image must be float32", "int64"),
    "encoder-image-uint8": (encoder_model(image=("uint8", ["batch", 784])), "image must be float32", "uint8"),
    "encoder-image-783": (encoder_model(image=("float", ["batch", 783])), "783-pixel"),
    "encoder-latents-differ": (encoder_model(z_log_var=("float", ["batch", 3])), "differ in size"),
    "encoder-log-var-double": (
        encoder_model(z_log_var=("double", ["batch", 2])),
        "z_log_var must be float32",
    ),
    "encoder-mean-static": (
        encoder_model(z_mean=("float", [4, 2])),
        "z_mean must be float32",
        "dynamic batch",
    ),
}


@pytest.mark.parametrize("case", FOREIGN_MODELS)
def test_foreign_models_are_refused_through_the_api(work, case):
    data, *words = FOREIGN_MODELS[case]
    role = "encoder" if case.startswith("encoder") else "generator"
    (work / "foreign.onnx").write_bytes(data)
    api_fails(work, lambda work: (Encoder if role == "encoder" else Generator)(work / "foreign.onnx"), *words)


def test_a_foreign_model_is_refused_through_the_cli(work):
    """One CLI check for the kind; the table above tests each case through the API."""
    data, *words = FOREIGN_MODELS["z-double"]
    (work / "model" / "generator.onnx").write_bytes(data)
    fails(work, ["generate", "--random", 2, "--out", "x.png", "--model-dir", "model"], *words)


def test_a_foreign_model_that_keeps_the_contract_runs(work):
    """The checks refuse what breaks the contract, not what merely comes from elsewhere."""
    (work / "generator.onnx").write_bytes(generator_model())
    (work / "encoder.onnx").write_bytes(encoder_model(metadata=GOOD_METADATA))
    assert Generator(work / "generator.onnx").generate([[1, 2]]).shape == (1, 28, 28)
    assert Encoder(work / "encoder.onnx").encode(np.zeros((3, 28, 28), np.float32))[0].shape == (3, 2)


def edit_manifest(work, change):
    manifest = json.loads((work / "model" / "manifest.json").read_text())
    change(manifest)
    (work / "model" / "manifest.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda manifest: manifest.update(files=["encoder.onnx", "generator.onnx"]), ['"files"']),
        (lambda manifest: manifest["files"].update({"encoder.onnx": 5}), ['"files"']),
        (lambda manifest: manifest["files"].update({"../outside.onnx": {"bytes": 1}}), ['"files"']),
        (lambda manifest: manifest.clear() or manifest.update(files=None), ['"files"']),
    ],
    ids=["files-a-list", "entry-a-number", "name-outside-the-folder", "files-null"],
)
def test_manifests_that_lie_about_their_files(work, change, words):
    edit_manifest(work, change)
    fails(work, ["info", "model"], "manifest.json", *words)


@pytest.mark.parametrize(
    "text", ["[1, 2]", "{not json", "\xff\xfe"], ids=["a-list", "broken-json", "not-utf8"]
)
def test_unreadable_manifests(work, text):
    (work / "model" / "manifest.json").write_bytes(text.encode("latin-1"))
    fails(work, ["info", "model"], "cannot read", "manifest.json")


def test_a_manifest_whose_files_is_a_list_does_not_stop_the_model_loading(work):
    edit_manifest(work, lambda manifest: manifest.update(files=["generator.onnx"]))
    succeeds(work, ["generate", "--random", 2, "--model-dir", "model", "--out", "x.png"])
    (work / "model" / "generator.onnx").write_bytes((work / "model" / "generator.onnx").read_bytes()[:4000])
    fails(
        work, ["generate", "--random", 2, "--model-dir", "model", "--out", "x.png"], "not a valid ONNX model"
    )


def test_odd_manifest_values_still_describe(work):
    edit_manifest(work, lambda manifest: manifest.update(image_shape=5, metrics=[1, 2], path="elsewhere"))
    result = succeeds(work, ["info", "model"])
    assert "images ?" in result.stdout and f"model     {Path('model')}" in result.stdout


# --- 5. interruption -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "signal_number, exit_code",
    [(signal.SIGTERM, 128 + signal.SIGTERM), (signal.SIGINT, 1)],
    ids=["SIGTERM", "SIGINT"],
)
def test_a_signal_during_a_write_leaves_nothing_behind(work, signal_number, exit_code):
    """2,000,000 images (6.3 GB as .npy) stream into a temporary file; the signal arrives mid-write."""
    (work / "big.npy").write_bytes(OLD_OUTPUT)
    command = [*CLI, "generate", "--random", "2000000", "--out", "big.npy"]
    process = subprocess.Popen(command, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while not any(path.stat().st_size > 10**6 for path in temporary_files(work)):
        assert process.poll() is None and time.monotonic() < deadline, process.stderr.read()
        time.sleep(0.05)
    process.send_signal(signal_number)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == exit_code, stderr
    assert "Traceback" not in stderr
    assert temporary_files(work) == []
    assert (work / "big.npy").read_bytes() == OLD_OUTPUT


def test_a_reader_that_goes_away_early(work):
    before = snapshot(work)
    process = subprocess.Popen(
        [*CLI, "generate", "--random", "20000", "--out", "-"],
        cwd=work,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout.read(100).startswith(b"\x89PNG")
    process.stdout.close()
    stderr = process.stderr.read().decode()
    process.wait(timeout=300)
    assert process.returncode == 1 and "Traceback" not in stderr and "Exception ignored" not in stderr
    assert snapshot(work) == before


# --- 6. what the README promises ----------------------------------------------------------------


@pytest.mark.parametrize(
    "args, words",
    [
        (["info", "--threads", 2], ["--threads"]),
        (["info", "--int8"], ["--int8"]),
        (["info", "--json"], ["--json"]),
        (["bench", "--json"], ["--json"]),
        (["info", "--format", "yaml"], ["--format"]),
        (["generate"], ["missing option", "--out"]),
    ],
    ids=[
        "info-threads",
        "info-int8",
        "info-json-flag",
        "bench-json-flag",
        "info-format-yaml",
        "generate-bare",
    ],
)
def test_usage_errors_exit_2_with_a_usage_block(work, args, words):
    result = fails(work, args, *words, exit_code=2)
    assert result.stderr.startswith("Usage: edgevae ")


@pytest.mark.parametrize(
    "command", ["generate", "encode", "manifold", "reconstruct", "interpolate", "bench", "info"]
)
def test_model_options_are_where_the_readme_says(command):
    options = run_cli(command, "--help").stdout
    assert "--model-dir" in options
    for option in ("--threads", "--int8"):
        assert (option in options) == (command != "info"), (command, option)


def test_info_fails_when_a_file_fails_its_checks_and_still_reports(work):
    (work / "model" / "encoder.onnx").write_bytes((work / "model" / "encoder.onnx").read_bytes()[:-1] + b"\0")
    result = fails(
        work, ["info", "model", "--format", "json"], "1 file failed", "encoder.onnx (sha256 differs"
    )
    statuses = {entry["name"]: entry["status"] for entry in json.loads(result.stdout)["files"]}
    assert statuses["encoder.onnx"] == "sha256 differs from manifest" and statuses["generator.onnx"] == "ok"
    (work / "model" / "encoder.onnx").unlink()
    result = fails(work, ["info", "model"], "encoder.onnx (missing)")
    assert "encoder.onnx" in result.stdout and "missing" in result.stdout


def test_json_output_is_format_json_everywhere(work):
    info = json.loads(succeeds(work, ["info", "--format", "json"]).stdout)
    bench = json.loads(succeeds(work, ["bench", "--batches", 1, "--seconds", 0, "--format", "json"]).stdout)
    assert info["latent_dim"] == 2 and {row["operation"] for row in bench} == {"generate", "encode"}
