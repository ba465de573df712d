"""The runtime's rules for values, each written once: whole numbers, finite real numbers, the pixel
policy, bounded JSON, and the two facts every picture reader needs (its border, its ink's polarity)."""

import json
import math
from pathlib import Path

import numpy as np

from .errors import EdgeVAEError, reraised
from .limits import MAX_JSON_DEPTH, MAX_JSON_FILE_BYTES

FLOAT32_MAX = float(np.finfo(np.float32).max)


def whole_number(value, what: str, low: int = 0, high: int | None = None) -> int:
    """`value` as an int in [low, high]; bools, floats (2.0 too) and strings are refused."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, np.integer))
        or value < low
        or (high is not None and value > high)
    ):
        bounds = f"from {low:,} to {high:,}" if high is not None else f"{low:,} or more"
        raise EdgeVAEError(f"{what} must be a whole number {bounds}, got {value!r}"[:200])
    return int(value)


def real_array(values, what: str, dtype=np.float32) -> np.ndarray:
    """Numbers as a C-contiguous `dtype` array: complex numbers, NaN, infinity and float32 overflow refused
    (never cut to their real part, never turned into infinity with numpy's warning)."""
    with reraised(f"cannot hold the {what}"):  # converting an input too large for this process
        try:
            array = np.asarray(values)
            if array.dtype.kind == "c":
                raise EdgeVAEError(f"{what} must be real numbers, got complex {array.dtype}")
            if array.dtype.kind == "b" or (
                array.dtype.kind in "USO" and not all(is_real_number(value) for value in array.flat)
            ):
                raise TypeError  # neither text nor booleans are numbers, even when they read as one
            if array.dtype.kind not in "fiu":
                array = array.astype(np.float64)  # ragged lists fail here
        except (TypeError, ValueError):
            raise EdgeVAEError(f"{what} must be numbers") from None
        if array.dtype.kind == "f" and array.size:
            low, high = finite_range(array, what)
            if dtype == np.float32 and max(high, -low) > FLOAT32_MAX:
                raise EdgeVAEError(f"{what} must be finite float32 numbers, got {max(high, -low):g}")
        return np.ascontiguousarray(array, dtype=dtype)


def finite_range(array: np.ndarray, what: str) -> tuple[float, float]:
    """(min, max) of a non-empty float array, refused when it holds NaN or infinity. Reductions, not
    np.isfinite or np.abs: no temporary as large as the input (10**8 latents would need 763 MB more, which
    a 32-bit process may not have). NaN propagates through both."""
    low, high = float(array.min()), float(array.max())
    if not (math.isfinite(low) and math.isfinite(high)):
        raise EdgeVAEError(f"{what} must be finite numbers, got NaN or infinity")
    return low, high


def unit_pixels(images, what: str = "images") -> np.ndarray:
    """The one pixel policy: whole numbers are 0-255, floats are 0-1; values outside are refused, never
    clipped, and so are booleans (a mask is 0 and 1 or 0 and 255: say which). Float32 in [0, 1]."""
    images = np.asarray(images)
    if images.dtype.kind in "iu":
        if images.size and (images.min() < 0 or images.max() > 255):
            raise EdgeVAEError(f"integer {what} must hold pixel values 0-255")
        return images.astype(np.float32) / np.float32(255)
    if images.dtype.kind != "f":
        raise EdgeVAEError(f"{what} must be numbers, got dtype {images.dtype}")
    pixels = np.ascontiguousarray(images, dtype=np.float32)
    if pixels.size:
        low, high = finite_range(pixels, what)
        if low < 0 or high > 1:
            raise EdgeVAEError(
                f"float {what} must hold pixels in [0, 1], got {low:g} to {high:g}"
                " (divide 0-255 values by 255, or pass uint8)"
            )
    return pixels


def uint8_pixels(images, what: str = "images") -> np.ndarray:
    """Pixels as uint8 0-255, by the pixel policy of unit_pixels."""
    images = np.asarray(images)
    if images.dtype == np.uint8:
        return images
    return np.round(unit_pixels(images, what) * 255).astype(np.uint8)


def border(gray: np.ndarray) -> np.ndarray:
    """The picture's outermost pixels, its four edges in one strip."""
    return np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])


def ink_is_dark(gray: np.ndarray, paper: float | None = None) -> bool:
    """Dark ink on light paper, unless the paper is the dark side: ink lies at the far end of the
    tones from the paper, which is the border's tone unless given."""
    darkest, brightest = np.percentile(gray, [1, 99])
    paper = np.median(border(gray)) if paper is None else paper
    return paper - darkest > brightest - paper


def read_json_file(path: Path, what: str = "") -> object:
    """A JSON file, bounded: at most MAX_JSON_FILE_BYTES and MAX_JSON_DEPTH deep, no NaN or Infinity;
    a failure is one line naming the file."""
    name = f"{path}{f' ({what})' if what else ''}"
    with reraised(f"cannot read {name}"):
        with open(path, "rb") as file:
            data = file.read(MAX_JSON_FILE_BYTES + 1)
    if len(data) > MAX_JSON_FILE_BYTES:
        raise EdgeVAEError(f"cannot read {name}: over {MAX_JSON_FILE_BYTES // 2**20} MiB")
    return parse_json(data, f"cannot read {name}")


def parse_json(text: str | bytes, message: str) -> object:
    """json.loads with a nesting limit and without NaN or Infinity (which JSON does not have)."""
    if json_depth(text) > MAX_JSON_DEPTH:
        raise EdgeVAEError(f"{message}: nested more than {MAX_JSON_DEPTH} levels deep")
    try:
        return json.loads(text, parse_constant=refuse_constant)
    except ValueError as error:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise EdgeVAEError(f"{message}: {error}") from None


def refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def json_depth(text: str | bytes) -> int:
    """How deep brackets nest, counted without parsing (brackets inside strings count too: an upper bound)."""
    data = text.encode("utf-8", "replace") if isinstance(text, str) else text
    steps = np.frombuffer(data, np.uint8)
    opens = np.isin(steps, (ord("["), ord("{"))).astype(np.int32)
    closes = np.isin(steps, (ord("]"), ord("}"))).astype(np.int32)
    return int(np.cumsum(opens - closes).max(initial=0))


def is_real_number(value) -> bool:
    numbers, booleans = (int, float, np.integer, np.floating), (bool, np.bool_)
    return isinstance(value, numbers) and not isinstance(value, booleans)


def is_finite_number(value) -> bool:
    return is_real_number(value) and math.isfinite(value)
