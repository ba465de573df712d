"""load_digit brings any picture into MNIST form; save_png/save_grid write whole PNGs or nothing."""

import io
import os
import re
import struct
import zlib

import numpy as np
import pytest
from edgevae.runtime import EdgeVAEError, load_digit, save_grid, save_png
from edgevae.runtime.files import atomic_write
from PIL import Image, ImageDraw

from helpers import draw_digit


def centre_of_mass(image):
    total = image.sum()
    return image.sum(axis=1) @ np.arange(28) / total, image.sum(axis=0) @ np.arange(28) / total


def assert_mnist_form(digit):
    assert digit.shape == (28, 28) and digit.dtype == np.float32
    assert digit.min() == 0 and digit.max() == pytest.approx(1, abs=0.02)
    rows, columns = np.nonzero(digit)
    assert rows.max() - rows.min() < 20 and columns.max() - columns.min() < 20
    assert max(rows.max() - rows.min(), columns.max() - columns.min()) == 19  # the long side fills the box
    row, column = centre_of_mass(digit)
    assert abs(row - 14) <= 0.5 and abs(column - 14) <= 0.5
    assert digit[0].max() == digit[-1].max() == digit[:, 0].max() == digit[:, -1].max() == 0  # black border


@pytest.mark.parametrize("mode", ["L", "RGB", "RGBA"])
def test_dark_on_light_is_inverted_cropped_and_centred(tmp_path, mode):
    assert_mnist_form(load_digit(draw_digit(tmp_path / "digit.png", mode=mode)))


def test_light_on_dark_gives_the_same_digit(tmp_path):
    dark = load_digit(draw_digit(tmp_path / "dark.png", dark_on_light=True))
    light = load_digit(draw_digit(tmp_path / "light.png", dark_on_light=False))
    np.testing.assert_allclose(dark, light, atol=1e-6)


def test_strokes_on_a_transparent_background(tmp_path):
    image = Image.new("RGBA", (200, 300), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(40, 40), (120, 60), (90, 250)], fill=(10, 10, 10, 255), width=18)
    image.save(tmp_path / "transparent.png")
    reference = load_digit(draw_digit(tmp_path / "opaque.png"))
    np.testing.assert_allclose(load_digit(tmp_path / "transparent.png"), reference, atol=0.02)


def test_jpeg_sixteen_bit_and_large_pictures(tmp_path):
    reference = load_digit(draw_digit(tmp_path / "digit.png"))
    Image.open(tmp_path / "digit.png").convert("RGB").save(tmp_path / "digit.jpg", quality=90)
    assert np.abs(load_digit(tmp_path / "digit.jpg") - reference).mean() < 0.02
    wide = np.asarray(Image.open(tmp_path / "digit.png"), dtype=np.uint16) * 257
    Image.fromarray(wide).save(tmp_path / "digit16.png")
    np.testing.assert_allclose(load_digit(tmp_path / "digit16.png"), reference, atol=0.01)
    large = draw_digit(
        tmp_path / "large.png", size=(1100, 1400), stroke=[(200, 200), (700, 300), (500, 1200)]
    )
    assert_mnist_form(load_digit(large))  # a thin stroke once shrunk, still full white


def test_the_digit_keeps_its_aspect_ratio(tmp_path):
    digit = load_digit(draw_digit(tmp_path / "bar.png", stroke=[(100, 30), (100, 270)]))
    rows, columns = np.nonzero(digit > 0.5)
    assert rows.max() - rows.min() >= 17 and columns.max() - columns.min() <= 4


@pytest.mark.parametrize(
    "content, name, keyword",
    [
        (b"", "empty.png", "empty"),
        (b"hello, not a picture\n", "text.png", "not an image"),
        (b"hello, not a picture\n", "notes.txt", "not an image"),
    ],
)
def test_files_that_are_not_pictures(tmp_path, content, name, keyword):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(EdgeVAEError, match=keyword):
        load_digit(tmp_path / name)


def test_missing_folder_blank_and_truncated_pictures(tmp_path):
    with pytest.raises(EdgeVAEError, match="no such file"):
        load_digit(tmp_path / "missing.png")
    with pytest.raises(EdgeVAEError, match="is a folder"):
        load_digit(tmp_path)
    Image.new("L", (50, 50), 255).save(tmp_path / "blank.png")
    with pytest.raises(EdgeVAEError, match="no digit found"):
        load_digit(tmp_path / "blank.png")
    data = draw_digit(tmp_path / "digit.png").read_bytes()
    (tmp_path / "cut.png").write_bytes(data[: len(data) // 2])
    with pytest.raises(EdgeVAEError, match="truncated or corrupt"):
        load_digit(tmp_path / "cut.png")


def huge_png_header(path, width, height):
    """A PNG that claims width x height 1-bit pixels, with no pixel data: a bomb that never gets decoded."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )
    return path


def test_decompression_bombs_are_refused(tmp_path):
    bomb = tmp_path / "bomb.png"
    Image.new("1", (8000, 6000)).save(bomb)  # 48 megapixels, a few kilobytes on disk
    assert bomb.stat().st_size < 100_000
    with pytest.raises(EdgeVAEError, match="too large"):
        load_digit(bomb)
    with pytest.raises(EdgeVAEError, match="too large"):  # beyond pillow's own limit too
        load_digit(huge_png_header(tmp_path / "huge.png", 20000, 20000))


def test_save_png_round_trips_pixels(tmp_path):
    image = np.linspace(0, 1, 28 * 28, dtype=np.float32).reshape(28, 28)
    save_png(image, tmp_path / "one.png")
    saved = Image.open(tmp_path / "one.png")
    assert saved.mode == "L" and saved.size == (28, 28)
    np.testing.assert_array_equal(np.asarray(saved), np.round(image * 255).astype(np.uint8))
    save_png(np.asarray(saved), tmp_path / "uint8.png")
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "uint8.png")), np.asarray(saved))


def test_save_grid_layout(tmp_path):
    images = np.zeros((5, 28, 28), dtype=np.float32)
    for index in range(5):
        images[index] = (index + 1) / 5
    save_grid(images, tmp_path / "grid.png", padding=2)
    grid = np.asarray(Image.open(tmp_path / "grid.png"))
    assert grid.shape == (2 + 2 * 30, 2 + 3 * 30)  # 5 images: 3 columns, 2 rows
    assert grid[2 + 10, 2 + 10] == round(255 * 1 / 5)  # the 1st image: row 0, column 0
    assert grid[2 + 30 + 10, 2 + 30 + 10] == 255  # the 5th image: row 1, column 1
    assert grid[2 + 30 + 10, 2 + 60 + 10] == 0  # no 6th image
    assert grid[0].max() == 0  # padding stays black
    save_grid(images, tmp_path / "strip.png", columns=5, padding=0)
    assert Image.open(tmp_path / "strip.png").size == (5 * 28, 28)


def test_outputs_are_written_with_normal_permissions(tmp_path):
    path = save_png(np.zeros((28, 28)), tmp_path / "out.png")
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


@pytest.mark.parametrize("where", ["missing/out.png", "file.txt/out.png"])
def test_unwritable_outputs_leave_nothing_behind(tmp_path, where):
    (tmp_path / "file.txt").write_text("a regular file\n")
    before = sorted(tmp_path.rglob("*"))
    with pytest.raises(EdgeVAEError, match="cannot write"):
        save_grid(np.zeros((4, 28, 28)), tmp_path / where)
    with pytest.raises(EdgeVAEError, match="cannot write"):
        save_png(np.zeros((28, 28)), tmp_path / where)
    assert sorted(tmp_path.rglob("*")) == before


def test_a_failed_write_leaves_no_partial_file(tmp_path):
    (tmp_path / "out.png").write_bytes(b"old")
    with pytest.raises(EdgeVAEError):
        save_png(np.zeros((2, 28, 28)), tmp_path / "out.png")  # wrong shape: refused before writing

    def write_half_then_fail(file):
        file.write(b"half a file")
        raise RuntimeError("disk pulled out")

    with pytest.raises(RuntimeError):
        atomic_write(tmp_path / "out.png", write_half_then_fail)
    assert [path.name for path in tmp_path.iterdir()] == ["out.png"]
    assert (tmp_path / "out.png").read_bytes() == b"old"


def test_in_memory_pictures_read_like_the_file(tmp_path):
    path = draw_digit(tmp_path / "digit.png", mode="RGB")
    reference = load_digit(path)
    pixels = np.asarray(Image.open(path))
    with open(path, "rb") as file:
        readings = [
            load_digit(str(path)),
            load_digit(Image.open(path)),
            load_digit(file),
            load_digit(io.BytesIO(path.read_bytes())),
            load_digit(pixels),
            load_digit(pixels / 255.0),
            load_digit(np.dstack([pixels, np.full(pixels.shape[:2], 255, np.uint8)])),
        ]
    gray = np.asarray(Image.open(path).convert("L"))
    readings += [load_digit(gray), load_digit(gray[..., None]), load_digit(gray.astype(np.int64))]
    for reading in readings:
        np.testing.assert_allclose(reading, reference, atol=1e-6)


@pytest.mark.parametrize(
    "source, keyword",
    [
        (42, "not int"),
        (b"\x89PNG", "io.BytesIO"),
        (np.zeros((4, 28, 28), np.uint8), "[height, width]"),
        (np.zeros((0, 5), np.uint8), "empty"),
        (np.full((28, 28), np.nan), "NaN"),
        (np.full((28, 28), 2.0), "[0, 1]"),
        (np.full((28, 28), 300), "0-255"),
        (np.array([["a"]]), "numbers"),
        (io.BytesIO(b"not a picture"), "not an image"),
    ],
)
def test_inputs_that_are_not_pictures(source, keyword):
    with pytest.raises(EdgeVAEError, match=re.escape(keyword)):
        load_digit(source)


def test_a_file_opened_as_text_is_refused(tmp_path):
    draw_digit(tmp_path / "digit.png")
    with (
        open(tmp_path / "digit.png", encoding="latin-1") as file,
        pytest.raises(EdgeVAEError, match="binary mode"),
    ):
        load_digit(file)
