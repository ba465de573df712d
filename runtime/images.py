"""Read a digit from any picture (a path, an image, an array, a file) in MNIST form;
save images as grayscale PNGs."""

import io
import math
import os
import sys
import warnings
from contextlib import nullcontext
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .checks import border, ink_is_dark, uint8_pixels, unit_pixels
from .errors import EdgeVAEError, reason, reraised
from .files import atomic_write
from .limits import MAX_PICTURE_PIXELS, MAX_STREAM_BYTES
from .outputs import picture_format

MAX_PIXELS = 40_000_000  # refuse decompression bombs long before they fill memory
WORKING_SIZE = 1024  # larger pictures are shrunk first; the digit ends up 20 pixels tall anyway
FIELD = 28  # MNIST fitted each digit into a 20x20 box and centred its mass in a 28x28 field
BOX = 20
STDIN_NAMES = ("-", "/dev/stdin")
BOMBS = (Image.DecompressionBombError, Image.DecompressionBombWarning)


def load_digit(source) -> np.ndarray:
    """A digit picture as MNIST has it: float32 [28, 28] in [0, 1], white on black, fitted and centred.

    `source` is a path, a PIL image, a numpy array (uint8 0-255 or float 0-1; [height, width] or
    [height, width, 3 or 4]) or a binary file object. Scans, drawings and MNIST digits are cropped as they
    are; photos (uneven light, shadows, a desk along an edge) are first cleaned by `photo.photo_ink`.
    """
    gray, name = read_source(source)
    return mnist_form(gray, name)


def read_source(source) -> tuple[np.ndarray, str]:
    """(grayscale float32 [height, width] in [0, 1], a name for messages) from any of load_digit's inputs."""
    if isinstance(source, (str, os.PathLike)):
        picture, name = open_path(Path(source))
        return read_grayscale(picture, name), name
    if isinstance(source, Image.Image):
        return read_grayscale(source, "the image"), "the image"
    if isinstance(source, np.ndarray):
        return array_grayscale(source), "the array"
    if isinstance(source, io.TextIOBase):
        raise EdgeVAEError("load_digit needs a file opened in binary mode ('rb'), not text mode")
    if hasattr(source, "read"):
        name = str(getattr(source, "name", "the file object"))
        return read_grayscale(source, name), name
    raise EdgeVAEError(
        "load_digit takes a path, a PIL image, a numpy array or a binary file object,"
        f" not {type(source).__name__}"
        + (" (wrap bytes in io.BytesIO)" if isinstance(source, (bytes, bytearray)) else "")
    )


def open_path(path: Path) -> tuple:
    """(what Pillow opens, a name for messages) for a picture path. `-` and /dev/stdin are standard input;
    it, pipes, FIFOs and devices (`<(cat x.png)`) are read whole first, up to MAX_STREAM_BYTES, since
    Pillow needs to seek. Empty means that zero bytes were read."""
    if str(path) in STDIN_NAMES:
        if sys.stdin is None:
            raise EdgeVAEError("cannot read standard input: there is none")
        stream, name = nullcontext(sys.stdin.buffer), "standard input"
    elif not path.exists():
        raise EdgeVAEError(f"no such file: {path}")
    elif path.is_dir():
        raise EdgeVAEError(f"{path} is a folder, not an image")
    else:
        stream, name = None, str(path)
    regular = stream is None and path.is_file()
    with reraised(f"cannot read {name}"):
        with stream or open(path, "rb") as file:
            data = file.read(1 if regular else MAX_STREAM_BYTES + 1)
    if not data:
        raise EdgeVAEError(f"{name} is empty")
    if len(data) > MAX_STREAM_BYTES:
        raise EdgeVAEError(f"{name} is over {MAX_STREAM_BYTES // 2**20} MiB, too large for a digit picture")
    return (path if regular else io.BytesIO(data)), name


def read_grayscale(source, name: str) -> np.ndarray:
    """Open (a path or a file object) or take (a PIL image) a picture, upright as its EXIF tag says,
    as grayscale."""
    with (
        reraised(lambda error: unreadable(error, name), SyntaxError, ValueError, *BOMBS),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with nullcontext(source) if isinstance(source, Image.Image) else Image.open(source) as image:
            if image.width * image.height > MAX_PIXELS:
                raise Image.DecompressionBombError  # Pillow's own limit is higher
            if image.format == "JPEG" and image is not source:  # decode big photos at 1/2, 1/4 or 1/8 size
                image.draft(image.mode, (WORKING_SIZE, WORKING_SIZE))
            image.load()
            return grayscale(upright(image), name)


def unreadable(error: Exception, name: str) -> str:
    if isinstance(error, BOMBS):
        return f"{name} is too large to be a digit picture (over {MAX_PIXELS // 1_000_000} megapixels)"
    if isinstance(error, UnidentifiedImageError):
        return f"{name} is not an image file that pillow can read"
    return f"cannot read {name}: truncated or corrupt image ({reason(error)})"


def upright(image: Image.Image) -> Image.Image:
    """Phones store pictures sideways and say so in an EXIF orientation tag; a broken tag is ignored."""
    try:
        return ImageOps.exif_transpose(image)
    except (OSError, SyntaxError, ValueError, KeyError, TypeError):
        return image


def array_grayscale(array: np.ndarray) -> np.ndarray:
    """A numpy picture as grayscale: uint8 (0-255) or float (0-1),
    [height, width] or [height, width, 3 or 4]."""
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if not (array.ndim == 2 or (array.ndim == 3 and array.shape[2] in (3, 4))):
        raise EdgeVAEError(
            f"a digit array must be [height, width] or [height, width, 3 or 4], got {list(array.shape)}"
        )
    if array.size == 0:
        raise EdgeVAEError(f"the digit array is empty: {list(array.shape)}")
    if array.shape[0] * array.shape[1] > MAX_PIXELS:
        raise EdgeVAEError(
            f"the array is too large to be a digit picture (over {MAX_PIXELS // 1_000_000} megapixels)"
        )
    if array.dtype.kind in "fb" and array.ndim == 2:  # floats as they are, without rounding to 8 bits
        from .photo import shrink

        return shrink(unit_pixels(array, "digit arrays"), WORKING_SIZE)
    pixels = uint8_pixels(array, "digit arrays")
    mode = {2: "L", 3: "RGB", 4: "RGBA"}[pixels.shape[-1] if pixels.ndim == 3 else 2]
    return grayscale(Image.fromarray(pixels, mode), "the array")


def grayscale(image: Image.Image, name: str = "the picture") -> np.ndarray:
    """Float32 [height, width] in [0, 1]; transparent areas become the background."""
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        image = image.convert("F")  # high bit depth: stretch to the picture's own range below
    elif image.mode in ("RGBA", "LA", "PA", "P") or "transparency" in image.info:
        image = image.convert("RGBA")
    else:
        image = image.convert("L")
    image.thumbnail((WORKING_SIZE, WORKING_SIZE), Image.Resampling.BOX)
    if image.mode == "F":
        values = np.asarray(image, dtype=np.float32)
        if not np.isfinite(values).all():  # a float TIFF can hold them; they have no place on a 0-1 scale
            raise EdgeVAEError(f"{name} holds NaN or infinite pixel values")
        low, high = values.min(), values.max()
        return (values - low) / (high - low) if high > low else np.zeros_like(values)
    if image.mode == "L":
        return np.asarray(image, dtype=np.float32) / 255
    luma = np.asarray(image.convert("L"), dtype=np.float32) / 255
    alpha = np.asarray(image.getchannel("A"), dtype=np.float32) / 255
    # Paint transparent areas the opposite of the ink, so a drawn stroke stands out either way.
    ink_is_dark = (luma * alpha).sum() < 0.5 * alpha.sum()
    return luma * alpha + (1.0 if ink_is_dark else 0.0) * (1 - alpha)


def mnist_form(gray: np.ndarray, name) -> np.ndarray:
    from .photo import is_photo, photo_ink  # not needed to write pictures: kept off generate's start-up

    ink = photo_ink(gray) if is_photo(gray) else None
    if ink is None:
        ink = scan_ink(gray)
    if ink is None:
        raise EdgeVAEError(f"{name}: no digit found, the picture is blank")
    return fit_in_field(ink)


def scan_ink(gray: np.ndarray) -> np.ndarray | None:
    """A scan, a drawing or an MNIST digit: ink is what differs from the border's tone,
    scaled to a peak of 1."""
    if ink_is_dark(gray):  # dark ink on light paper: flip to MNIST's white on black
        gray = 1 - gray
    ink = np.clip(gray - np.median(border(gray)), 0, None)
    peak = ink.max()
    if peak < 0.1:
        return None
    return ink / peak


def fit_in_field(ink: np.ndarray) -> np.ndarray:
    """Crop to the ink, fit it into MNIST's 20x20 box keeping its aspect ratio,
    and centre its mass in 28x28."""
    rows = np.flatnonzero((ink > 0.2).any(axis=1))
    columns = np.flatnonzero((ink > 0.2).any(axis=0))
    ink = ink[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]
    height, width = ink.shape
    scale = BOX / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    digit = Image.fromarray(np.round(ink * 255).astype(np.uint8)).resize(size, Image.Resampling.LANCZOS)
    digit = np.asarray(digit, dtype=np.float32)
    # Thin strokes fade when shrunk; MNIST's strokes always reach full white.
    return centre_by_mass(digit / max(digit.max(), 1.0))


def centre_by_mass(digit: np.ndarray) -> np.ndarray:
    """Place the digit in a 28x28 field so that its centre of mass lands on the middle pixel."""
    height, width = digit.shape
    total = digit.sum()
    row_centre = digit.sum(axis=1) @ np.arange(height) / total if total else (height - 1) / 2
    column_centre = digit.sum(axis=0) @ np.arange(width) / total if total else (width - 1) / 2
    # Halves round up, as JavaScript's Math.round does (web/mnist-form.mjs); Python's round goes to even.
    top = min(max(math.floor(FIELD / 2 - row_centre + 0.5), 0), FIELD - height)
    left = min(max(math.floor(FIELD / 2 - column_centre + 0.5), 0), FIELD - width)
    field = np.zeros((FIELD, FIELD), dtype=np.float32)
    field[top : top + height, left : left + width] = digit
    return field


SAVE_OPTIONS = {"JPEG": {"quality": 95}, "WEBP": {"lossless": True}}  # digits keep their edges
MAX_SIDE = {"JPEG": 65_535, "WEBP": 16_383, "GIF": 65_535}  # the formats cannot store larger pictures


def save_png(image, path, scale: int = 1) -> Path:
    """Save one image [height, width] (float in [0, 1] or uint8 0-255) as a grayscale picture, atomically.

    The suffix of `path` names the format (outputs.PICTURE_FORMATS): .png, .jpg, .webp, ...
    `scale` enlarges it that many times, nearest-neighbour.
    """
    pixels = uint8_pixels(image)
    if pixels.ndim != 2:
        raise EdgeVAEError(f"save_png takes one image shaped [height, width], got {list(pixels.shape)}")
    return write_grid([pixels[None]], 1, pixels.shape, path, columns=1, padding=0, scale=scale)


def save_grid(images, path, columns: int | None = None, padding: int = 2, scale: int = 1) -> Path:
    """Save images [n, height, width] as one grid picture, row by row; square-ish unless `columns` is given.

    The suffix of `path` names the format, and `scale` enlarges it, as for save_png.
    """
    pixels = grid_images(images)
    return write_grid([pixels], len(pixels), pixels.shape[1:], path, columns, padding, scale)


def grid_png(images, columns: int | None = None, padding: int = 2) -> bytes:
    """Images [n, height, width] as one grid PNG in memory, laid out as save_grid lays them out."""
    pixels = grid_images(images)
    buffer = io.BytesIO()
    write_grid([pixels], len(pixels), pixels.shape[1:], buffer, columns, padding)
    return buffer.getvalue()


def grid_images(images) -> np.ndarray:
    """Images [n, height, width] as uint8, checked to make a grid."""
    pixels = uint8_pixels(images)
    if pixels.ndim != 3 or len(pixels) == 0:
        raise EdgeVAEError(
            f"a grid takes images shaped [n, height, width] with n >= 1, got {list(pixels.shape)}"
        )
    return pixels


def write_grid(chunks, count: int, image_shape, out, columns=None, padding=2, scale=1, kind=None):
    """Lay out `count` images arriving in chunks [k, height, width] as one grid picture, holding only the
    grid, and write it: to `out`, a path whose suffix names the format (or `kind`, when the CLI decided it),
    or a binary file object (PNG). Every picture the runtime writes goes through here."""
    height, width = image_shape
    columns = min(columns or math.ceil(math.sqrt(count)), count)
    if columns < 1 or padding < 0 or scale < 1:
        raise EdgeVAEError("a grid needs columns >= 1, padding >= 0 and a scale >= 1")
    rows = math.ceil(count / columns)
    grid_height, grid_width = rows * (height + padding) + padding, columns * (width + padding) + padding
    in_memory = hasattr(out, "write")
    kind = kind or ("PNG" if in_memory else picture_format(out))
    check_picture_size(out, kind, grid_height * scale, grid_width * scale)
    grid = np.zeros((grid_height, grid_width), dtype=np.uint8)
    index = 0
    for chunk in chunks:
        for image in uint8_pixels(chunk):
            top = padding + (index // columns) * (height + padding)
            left = padding + (index % columns) * (width + padding)
            grid[top : top + height, left : left + width] = image
            index += 1
    picture = Image.fromarray(grid)
    if scale > 1:  # nearest-neighbour: each pixel becomes a scale x scale block
        picture = picture.resize((picture.width * scale, picture.height * scale), Image.Resampling.NEAREST)
    save = lambda file: picture.save(file, format=kind, **SAVE_OPTIONS.get(kind, {}))  # noqa: E731
    return save(out) if in_memory else atomic_write(out, save)


def check_picture_size(out, kind: str, height: int, width: int):
    """Refuse, before any work is done, a picture larger than memory or its format allows."""
    side = MAX_SIDE.get(kind)
    if height * width > MAX_PICTURE_PIXELS or (side and max(height, width) > side):
        limit = f"{side:,} pixels a side and " if side else ""
        raise EdgeVAEError(
            f"cannot write {out}: a {width:,}x{height:,} picture is too large ({kind} pictures here:"
            f" at most {limit}{MAX_PICTURE_PIXELS // 1_000_000} megapixels); write a .npy array instead"
        )
