"""Phone-style photos of real MNIST digits, synthesized with numpy and Pillow from a seed.

Each photo is a digit written on paper and photographed: paper tone and a slight texture, a pen or
pencil stroke, a tilt, a dark desk along some edges, uneven light (a gradient, vignetting, shadow
bands), a colour cast, defocus, sensor noise, JPEG, and for some the sideways storage with an EXIF
orientation tag that phones write. `scan` is the easy case: the digit upscaled, dark on white, JPEG.
Used by tests/photos/ and benchmarks/photos.py.
"""

import io

import numpy as np
from PIL import Image, ImageFilter

ORIENTATION = 0x0112  # the EXIF tag
# Orientation tag -> how the upright picture is stored so that a viewer that honours the tag shows it upright.
STORED = {3: Image.Transpose.ROTATE_180, 6: Image.Transpose.ROTATE_90, 8: Image.Transpose.ROTATE_270}


def smooth_noise(rng, height: int, width: int, cells: int) -> np.ndarray:
    """Low-frequency noise in [-1, 1]: random values on a coarse grid, upscaled smoothly."""
    coarse = rng.uniform(-1, 1, (cells, cells)).astype(np.float32)
    return np.asarray(Image.fromarray(coarse).resize((width, height), Image.Resampling.BICUBIC))


def pen_stroke(digit: np.ndarray, size: int, rng) -> np.ndarray:
    """The MNIST digit as ink coverage [size, size] in [0, 1], with sharper edges, like a pen's."""
    big = Image.fromarray(np.asarray(digit, np.uint8)).resize((size, size), Image.Resampling.BICUBIC)
    coverage = np.asarray(big, np.float32) / 255
    low = rng.uniform(0.2, 0.4)
    return np.clip((coverage - low) / 0.35, 0, 1)


def lighting(rng, height: int, width: int) -> np.ndarray:
    """A multiplicative light field: a gradient, vignetting, and zero to two shadow bands."""
    rows, columns = np.mgrid[0:height, 0:width].astype(np.float32)
    y, x = rows / height - 0.5, columns / width - 0.5
    angle = rng.uniform(0, 2 * np.pi)
    light = 1 - rng.uniform(0.1, 0.45) * (0.5 + x * np.cos(angle) + y * np.sin(angle))  # gradient
    light *= 1 - rng.uniform(0.1, 0.45) * (x**2 + y**2) / 0.5  # vignetting: darkest in the corners
    for _ in range(rng.choice([0, 1, 1, 2])):
        # A shadow band (a phone, a hand, a lamp arm): a strip across the page, soft or hard edged.
        angle = rng.uniform(0, np.pi)
        offset = rng.uniform(-0.4, 0.4)
        distance = x * np.cos(angle) + y * np.sin(angle) - offset
        half_width = rng.uniform(0.05, 0.3)
        softness = rng.uniform(0.003, 0.05)
        inside = 1 / (1 + np.exp((np.abs(distance) - half_width) / softness))
        light *= 1 - rng.uniform(0.25, 0.55) * inside
    return light


MAX_TILT = 5  # degrees: a page photographed roughly square; each degree beyond costs agreement by itself


def photo(digit: np.ndarray, rng, max_tilt: float = MAX_TILT) -> tuple[Image.Image, bytes]:
    """(the upright RGB picture, the JPEG file a phone would store) for one MNIST digit [28, 28] uint8."""
    long_side = int(rng.integers(600, 1201))
    height, width = (
        (long_side, int(long_side * 0.75)) if rng.random() < 0.5 else (int(long_side * 0.75), long_side)
    )
    short = min(height, width)

    # Paper with the digit on it, drawn larger than the frame so that a tilt leaves no gaps.
    side = int(np.hypot(height, width)) + 8
    paper_tone = rng.uniform(0.72, 0.95)
    reflectance = paper_tone * (1 + 0.03 * smooth_noise(rng, side, side, 12))
    size = int(short * rng.uniform(0.3, 0.55))
    top = side // 2 - size // 2 + int(rng.integers(-short // 10, short // 10 + 1))
    left = side // 2 - size // 2 + int(rng.integers(-short // 10, short // 10 + 1))
    darkness = rng.uniform(0.55, 0.92)  # pencil to felt pen
    ink = pen_stroke(digit, size, rng)
    reflectance[top : top + size, left : left + size] *= 1 - darkness * ink

    # The desk: zero to two page edges inside the frame, dark and a little textured.
    desk_tone = rng.uniform(0.08, 0.45)
    desk = desk_tone * (1 + 0.15 * smooth_noise(rng, side, side, 30))
    on_paper = np.ones((side, side), bool)
    centre = side // 2
    for edge in rng.choice(4, size=int(rng.choice([0, 1, 1, 2])), replace=False):
        margin = int(rng.uniform(0.02, 0.1) * (width if edge in (1, 3) else height))  # visible desk
        if edge == 0:
            on_paper[: centre - height // 2 + margin] = False
        elif edge == 1:
            on_paper[:, centre + width // 2 - margin :] = False
        elif edge == 2:
            on_paper[centre + height // 2 - margin :] = False
        else:
            on_paper[:, : centre - width // 2 + margin] = False
    scene = np.where(on_paper, reflectance, desk).astype(np.float32)

    tilt = rng.uniform(-max_tilt, max_tilt)
    scene = np.asarray(
        Image.fromarray(scene).rotate(tilt, Image.Resampling.BILINEAR, fillcolor=float(desk_tone))
    )
    scene = scene[
        centre - height // 2 : centre - height // 2 + height,
        centre - width // 2 : centre - width // 2 + width,
    ]

    # Light, colour cast, camera: defocus, sensor noise, gamma, JPEG.
    radiance = scene * lighting(rng, height, width)
    cast = np.array([1.0, rng.uniform(0.88, 1.0), rng.uniform(0.7, 0.95)], np.float32)  # warm indoor light
    if rng.random() < 0.3:
        cast = cast[::-1]  # or cool daylight
    rgb = np.clip(radiance[..., None] * cast * rng.uniform(0.95, 1.15), 0, 1) ** (1 / 2.2)
    focused = Image.fromarray(np.round(rgb * 255).astype(np.uint8), "RGB")
    rgb = np.asarray(focused.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 1.8))), np.float32)
    rgb += rng.normal(0, rng.uniform(1.5, 8), rgb.shape).astype(np.float32)  # sensor noise, in 0-255 steps
    upright = Image.fromarray(np.round(np.clip(rgb, 0, 255)).astype(np.uint8), "RGB")

    orientation = int(rng.choice([1, 1, 1, 6, 6, 8, 3]))
    stored = upright.transpose(STORED[orientation]) if orientation in STORED else upright
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    buffer = io.BytesIO()
    stored.save(buffer, format="JPEG", quality=int(rng.integers(60, 93)), exif=exif.tobytes())
    return upright, buffer.getvalue()


def scan(digit: np.ndarray, rng) -> bytes:
    """A clean scan of the digit as a JPEG: upscaled, dark on white paper, with a margin."""
    size = int(rng.integers(150, 401))
    ink = np.asarray(
        Image.fromarray(np.asarray(digit, np.uint8)).resize((size, size), Image.Resampling.BICUBIC)
    )
    buffer = io.BytesIO()
    Image.fromarray(255 - ink).save(buffer, format="JPEG", quality=int(rng.integers(75, 96)))
    return buffer.getvalue()


def photo_set(
    images: np.ndarray, count: int = 200, seed: int = 0, max_tilt: float = MAX_TILT
) -> tuple[np.ndarray, list[bytes], list[bytes]]:
    """(indices into `images`, photo JPEGs, scan JPEGs): `count` digits drawn with the seed."""
    rng = np.random.default_rng(seed)
    indices = rng.choice(len(images), size=count, replace=False)
    photos = [photo(images[index], rng, max_tilt)[1] for index in indices]
    scans = [scan(images[index], rng) for index in indices]
    return indices, photos, scans


def page(
    digit: np.ndarray, shadow: bool = False, desk: bool = False, crop: bool = False, seed: int = 0
) -> np.ndarray:
    """One controlled picture, uint8 [height, width, 3]:
    the digit on evenly lit paper with one effect at a time.

    shadow: a hard-edged band at half the light across the page and the digit; desk: a dark desk along the
    left and top edges; crop: cut tightly around the digit's ink, as an app that found the digit would.
    """
    rng = np.random.default_rng(seed)
    height, width = 600, 800
    scene = np.full((height, width), 0.85, np.float32)
    size = 300
    top, left = (height - size) // 2, (width - size) // 2
    scene[top : top + size, left : left + size] *= 1 - 0.85 * pen_stroke(
        digit, size, np.random.default_rng(seed)
    )
    if shadow:
        columns = np.arange(width)[None, :] + 0.4 * np.arange(height)[:, None]
        scene *= np.where((columns > 330) & (columns < 560), 0.5, 1.0).astype(np.float32)
    if desk:
        scene[:, :90] = 0.25
        scene[:60] = 0.25
    if crop:
        rows, columns = np.nonzero(scene < 0.6)
        scene = scene[rows.min() : rows.max() + 1, columns.min() : columns.max() + 1]
    pixels = scene[..., None] * np.array([1.0, 0.95, 0.85], np.float32) * 255  # a warm cast
    pixels += rng.normal(0, 3, pixels.shape)
    return np.clip(np.round(pixels), 0, 255).astype(np.uint8)
