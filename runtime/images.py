"""Read a digit from any picture in MNIST form, and save images as grayscale PNGs."""

import math
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from .errors import EdgeVAEError
from .files import STDOUT, atomic_write, writes_in_place
from .limits import MAX_PICTURE_PIXELS

MAX_PIXELS = 40_000_000  # refuse decompression bombs long before they fill memory
WORKING_SIZE = 1024  # larger pictures are shrunk first; the digit ends up 20 pixels tall anyway
FIELD = 28  # MNIST fitted each digit into a 20x20 box and centred its mass in a 28x28 field
BOX = 20


def load_digit(path) -> np.ndarray:
    """A PNG/JPEG/... digit of any size and mode as MNIST does it: float32 [28, 28] in [0, 1], white on black."""
    gray = read_grayscale(Path(path))
    return mnist_form(gray, path)


def read_grayscale(path: Path) -> np.ndarray:
    if not path.exists():
        raise EdgeVAEError(f"no such file: {path}")
    if path.is_dir():
        raise EdgeVAEError(f"{path} is a folder, not an image")
    if path.stat().st_size == 0:
        raise EdgeVAEError(f"{path} is empty")
    too_large = f"{path} is too large to be a digit picture (over {MAX_PIXELS // 1_000_000} megapixels)"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise EdgeVAEError(too_large)
                image.load()
                return grayscale(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise EdgeVAEError(too_large) from None
    except UnidentifiedImageError:
        raise EdgeVAEError(f"{path} is not an image file that pillow can read") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise EdgeVAEError(f"cannot read {path}: truncated or corrupt image ({error})") from None


def grayscale(image: Image.Image) -> np.ndarray:
    """Float32 [height, width] in [0, 1]; transparent areas become the background."""
    name = getattr(image, "filename", "") or "the picture"
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


def mnist_form(gray: np.ndarray, path) -> np.ndarray:
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    if border.mean() > gray.mean():  # dark ink on light paper: flip to MNIST's white on black
        gray, border = 1 - gray, 1 - border
    ink = np.clip(gray - np.median(border), 0, None)
    peak = ink.max()
    if peak < 0.1:
        raise EdgeVAEError(f"{path}: no digit found, the picture is blank")
    ink /= peak
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
    top = min(max(round(FIELD / 2 - row_centre), 0), FIELD - height)
    left = min(max(round(FIELD / 2 - column_centre), 0), FIELD - width)
    field = np.zeros((FIELD, FIELD), dtype=np.float32)
    field[top : top + height, left : left + width] = digit
    return field


# What the writers produce for each suffix of an output path; one table for the API and the CLI.
PICTURE_FORMATS = {
    ".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP", ".bmp": "BMP", ".tif": "TIFF", ".tiff": "TIFF",
    ".gif": "GIF",
}  # fmt: skip
SAVE_OPTIONS = {"JPEG": {"quality": 95}, "WEBP": {"lossless": True}}  # digits keep their edges
MAX_SIDE = {"JPEG": 65_535, "WEBP": 16_383, "GIF": 65_535}  # the formats cannot store larger pictures


def save_png(image, path) -> Path:
    """Save one image [height, width] (float in [0, 1] or uint8) as a grayscale picture, atomically.

    The suffix of `path` names the format (PICTURE_FORMATS): .png, .jpg, .webp, ...
    """
    pixels = as_uint8(image)
    if pixels.ndim != 2:
        raise EdgeVAEError(f"save_png takes one image shaped [height, width], got {list(pixels.shape)}")
    return write_png(pixels, path)


def save_grid(images, path, columns: int | None = None, padding: int = 2) -> Path:
    """Save images [n, height, width] as one grid picture, row by row; square-ish unless `columns` is given.

    The suffix of `path` names the format, as for save_png.
    """
    pixels = as_uint8(images)
    if pixels.ndim != 3 or len(pixels) == 0:
        raise EdgeVAEError(f"save_grid takes images shaped [n, height, width] with n >= 1, got {list(pixels.shape)}")
    return write_grid([pixels], len(pixels), pixels.shape[1:], path, columns, padding)


def grid_layout(count: int, image_shape, columns: int | None, padding: int) -> tuple[int, int, int]:
    """(columns, grid height, grid width) of `count` images laid out by save_grid."""
    height, width = image_shape
    columns = min(columns or math.ceil(math.sqrt(count)), count)
    if columns < 1 or padding < 0:
        raise EdgeVAEError("save_grid needs columns >= 1 and padding >= 0")
    rows = math.ceil(count / columns)
    return columns, rows * (height + padding) + padding, columns * (width + padding) + padding


def write_grid(chunks, count: int, image_shape, path, columns: int | None = None, padding: int = 2) -> Path:
    """Lay out `count` images arriving in chunks [k, height, width] as one grid picture; only the grid is held."""
    columns, grid_height, grid_width = grid_layout(count, image_shape, columns, padding)
    kind = check_picture(path, grid_height, grid_width)
    height, width = image_shape
    grid = np.zeros((grid_height, grid_width), dtype=np.uint8)
    index = 0
    for chunk in chunks:
        for image in as_uint8(chunk):
            top = padding + (index // columns) * (height + padding)
            left = padding + (index % columns) * (width + padding)
            grid[top : top + height, left : left + width] = image
            index += 1
    return write_picture(grid, path, kind)


def as_uint8(images) -> np.ndarray:
    images = np.asarray(images)
    if images.dtype == np.uint8:
        return images
    if images.dtype.kind not in "fiub":
        raise EdgeVAEError(f"images must be numbers, got dtype {images.dtype}")
    if images.dtype.kind == "b":
        return images.astype(np.uint8) * 255
    if images.dtype.kind in "iu":
        return np.clip(images, 0, 255).astype(np.uint8)
    if not np.isfinite(images).all():
        raise EdgeVAEError("images contain NaN or infinite pixel values")
    return np.round(np.clip(images, 0, 1) * 255).astype(np.uint8)


def write_png(pixels: np.ndarray, path) -> Path:
    """Write uint8 pixels [height, width] in the picture format that the suffix of `path` names."""
    return write_picture(pixels, path, check_picture(path, *pixels.shape))


def picture_format(path) -> str:
    """The Pillow format that the suffix of `path` names: PNG for standard output, or a device without one."""
    path = Path(path)
    suffix = path.suffix.lower()
    if path == STDOUT or (not suffix and writes_in_place(path)):
        return "PNG"
    if suffix not in PICTURE_FORMATS:
        raise EdgeVAEError(
            f"cannot write {path}: {f'{suffix!r} is not' if suffix else 'no suffix names'} a picture format;"
            f" use {', '.join(PICTURE_FORMATS)}"
        )
    return PICTURE_FORMATS[suffix]


def check_picture(path, height: int, width: int) -> str:
    """The format for `path`, once sure it can hold a height x width picture; before any work is done."""
    kind = picture_format(path)
    side = MAX_SIDE.get(kind)
    if height * width > MAX_PICTURE_PIXELS or (side and max(height, width) > side):
        limit = f"{side:,} pixels a side and " if side else ""
        raise EdgeVAEError(
            f"cannot write {path}: a {width:,}x{height:,} picture is too large ({kind} pictures here:"
            f" at most {limit}{MAX_PICTURE_PIXELS // 1_000_000} megapixels); write a .npy array instead"
        )
    return kind


def write_picture(pixels: np.ndarray, path, kind: str) -> Path:
    image = Image.fromarray(np.ascontiguousarray(pixels))
    return atomic_write(path, lambda file: image.save(file, format=kind, **SAVE_OPTIONS.get(kind, {})))
