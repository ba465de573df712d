"""Pen-style drawings of MNIST test digits, as a person draws on a pad or paper: the digit's skeleton
re-stroked with a round pen of random width, black on white, on a 280x280 canvas. numpy and Pillow only.

The skeleton comes from Zhang-Suen thinning of the digit enlarged 10x and thresholded; the pen is a disk
stamped along it. What differs from MNIST is the stroke: uniform, solid, of another width, without the
grey anti-aliased edges of MNIST's scans; the shape is the test digit's own.
"""

import numpy as np
from PIL import Image, ImageDraw

SCALE = 10  # the canvas is 280x280, like the web page's pad
PEN_RADII = (5.0, 13.0)  # canvas pixels: 1 to 2.6 MNIST pixels wide strokes once fitted in 20x20
THRESHOLD = 0.4


def drawing(digit: np.ndarray, pen_radius: float) -> Image.Image:
    """A uint8 28x28 MNIST digit as a black-on-white 280x280 drawing with a round pen of `pen_radius`."""
    size = digit.shape[0] * SCALE
    enlarged = np.asarray(Image.fromarray(digit).resize((size, size), Image.BILINEAR), np.float32) / 255
    skeleton = thin(enlarged > THRESHOLD)
    canvas = Image.new("L", (size, size), 255)
    draw = ImageDraw.Draw(canvas)
    for y, x in zip(*np.nonzero(skeleton), strict=True):
        draw.ellipse((x - pen_radius, y - pen_radius, x + pen_radius, y + pen_radius), fill=0)
    return canvas


def drawings(images: np.ndarray, seed: int = 0) -> list[Image.Image]:
    """One drawing per uint8 digit [n, 28, 28], each with a pen radius drawn uniformly from PEN_RADII."""
    radii = np.random.default_rng(seed).uniform(*PEN_RADII, size=len(images))
    return [drawing(image, radius) for image, radius in zip(images, radii, strict=True)]


def thin(mask: np.ndarray) -> np.ndarray:
    """Zhang-Suen thinning of a boolean image to one-pixel-wide lines (both sub-iterations vectorised)."""
    image = np.pad(mask, 1).astype(np.uint8)
    while True:
        changed = False
        for step in (0, 1):
            p = neighbours(image)  # P2..P9, clockwise from north
            count = sum(p)
            transitions = sum(((p[i] == 0) & (p[(i + 1) % 8] == 1)).astype(np.uint8) for i in range(8))
            if step == 0:
                first, second = p[0] * p[2] * p[4], p[2] * p[4] * p[6]
            else:
                first, second = p[0] * p[2] * p[6], p[0] * p[4] * p[6]
            remove = (
                (image == 1) & (count >= 2) & (count <= 6) & (transitions == 1) & (first == 0) & (second == 0)
            )
            if remove.any():
                image[remove] = 0
                changed = True
        if not changed:
            return image[1:-1, 1:-1].astype(bool)


def neighbours(image: np.ndarray) -> list[np.ndarray]:
    """The eight neighbours of every pixel (zero outside), from north clockwise: P2, P3, ..., P9."""
    padded = np.pad(image, 1)
    height, width = image.shape
    offsets = [(-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1)]
    return [padded[1 + dy : 1 + dy + height, 1 + dx : 1 + dx + width] for dy, dx in offsets]
