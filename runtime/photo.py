"""Find the ink of a handwritten digit in a photo: even out the light, separate ink from paper, drop clutter.

A phone or Pi-camera picture of a digit on paper has light that changes across the page (a gradient,
vignetting, shadows), a dark desk along some edges, noise and JPEG blocks. A global threshold fails on
all of them. The steps here, numpy and Pillow only:

1. estimate the paper's brightness everywhere with a morphological closing that is wider than any pen
   stroke (it erases the strokes but keeps the steps of shadows and page edges), and divide by it;
2. call "ink" what is clearly darker than the paper around it (Otsu's threshold, above the noise);
3. label the connected pieces of ink, drop those that touch the picture's border (desk texture, page
   edges, shadow lines), and keep the largest piece with the pieces near it: the digit.
"""

import numpy as np
from PIL import Image

from .checks import border, ink_is_dark

PHOTO_SIZE = 512  # photos are shrunk to this long side first: strokes stay several pixels wide
PAPER_WINDOW = 1 / 10  # of the long side: wider than a pen stroke, narrower than a shadow band
FLAT_BORDER = 0.06  # a picture whose border varies less than this is a scan or a drawing, not a photo
LEVEL = 75  # percentile of the digit's darkness that counts as full-strength ink
EDGE = 0.01  # of the long side: how far a stroke's soft edge reaches beyond the threshold
TIGHT = 0.8  # a digit spanning this much of the picture's height or width is a tight crop,
TIGHT_INK = 0.25  # and so is a picture this much covered in ink
MIN_AREA = 20  # pixels at PHOTO_SIZE: smaller pieces of ink are specks


def is_photo(gray: np.ndarray) -> bool:
    """Whether the picture has what photos have and scans do not: light or clutter
    that varies along its border.

    Small pictures (MNIST's own 28x28, icons) never count: nothing at that size needs flattening.
    """
    if max(gray.shape) <= 64:
        return False
    low, high = np.percentile(border(gray), [5, 95])
    return high - low > FLAT_BORDER


def photo_ink(gray: np.ndarray) -> np.ndarray | None:
    """The digit's ink [height, width] in [0, 1] (1 for full-strength ink); None when no digit stands out from
    the paper, or when the digit fills the frame: a tight crop holds little paper to flatten, and its strokes
    can be wider than the paper estimate's window, so the scan reading serves it better."""
    gray = shrink(gray, PHOTO_SIZE)
    # The paper is the picture's median tone, or its border's when a tight crop is mostly ink.
    if not (ink_is_dark(gray, np.median(gray)) or ink_is_dark(gray)):
        gray = 1 - gray
    window = max(3, round(PAPER_WINDOW * max(gray.shape)))
    paper = closing(box_blur(gray), window)
    darkness = np.clip(1 - gray / np.maximum(paper, 1e-3), 0, 1)
    # Try the threshold between paper and ink first; if all ink touches the border there (a narrow shadow
    # band running into the digit), the threshold between that clutter and the darker ink; failing both,
    # take it as a tight crop whose digit reaches the border.
    otsu = otsu_threshold(darkness, above=0)
    paper_level, noise = paper_noise(darkness, otsu)
    threshold = min(max(otsu, paper_level + 6 * noise, 0.08), 0.9)
    if (darkness > threshold).mean() > TIGHT_INK:
        return None
    pieces = label_components(darkness > threshold)
    digit = digit_pieces(*pieces, reach_border=False)
    if digit is None:
        darker = otsu_threshold(darkness, above=threshold)
        digit = digit_pieces(*label_components(darkness > darker), reach_border=False)
        if digit is None:
            digit = digit_pieces(*pieces, reach_border=True)
    if digit is None or fills_the_frame(digit):
        return None
    # The strokes' soft edges reach beyond the threshold, as MNIST's do: keep all ink near the digit's pieces,
    # scaled linearly from the paper to the ink's typical darkness, but none of the other pieces.
    reach = 2 * max(1, round(EDGE * max(gray.shape))) + 1
    near = sliding(sliding(digit, reach, 0, np.maximum), reach, 1, np.maximum)
    labels = pieces[0]
    others = dilate((labels >= 0) & ~np.isin(labels, np.unique(labels[digit])))
    floor = paper_level + 3 * noise
    level = np.percentile(darkness[digit], LEVEL)
    ink = np.clip((darkness - floor) / max(level - floor, 1e-3), 0, 1)
    return np.where(near & ~others, ink, 0).astype(np.float32)


def fills_the_frame(digit: np.ndarray) -> bool:
    rows, columns = np.flatnonzero(digit.any(axis=1)), np.flatnonzero(digit.any(axis=0))
    return (
        rows[-1] - rows[0] + 1 >= TIGHT * digit.shape[0]
        or columns[-1] - columns[0] + 1 >= TIGHT * digit.shape[1]
    )


def shrink(gray: np.ndarray, size: int) -> np.ndarray:
    if max(gray.shape) <= size:
        return gray
    image = Image.fromarray(np.ascontiguousarray(gray, dtype=np.float32), "F")
    image.thumbnail((size, size), Image.Resampling.BOX)
    return np.asarray(image, dtype=np.float32)


def box_blur(gray: np.ndarray) -> np.ndarray:
    """A 3x3 mean: takes the edge off sensor noise before the paper estimate picks maxima."""
    padded = np.pad(gray, 1, mode="edge")
    rows = padded[:-2] + padded[1:-1] + padded[2:]
    return (rows[:, :-2] + rows[:, 1:-1] + rows[:, 2:]) / 9


def sliding(gray: np.ndarray, size: int, axis: int, reduce) -> np.ndarray:
    """np.maximum or np.minimum over a centred window of `size` along one axis, in log2(size) passes."""
    gray = np.moveaxis(gray, axis, 0)
    before = size // 2
    result = np.pad(gray, [(before, size - 1 - before), (0, 0)], mode="edge")
    span = 1
    while span * 2 <= size:  # result[i] reduces the padded rows i .. i + span - 1
        result = reduce(result[:-span], result[span:])
        span *= 2
    length = len(gray)  # two windows of `span` overlap to cover `size` exactly
    return np.moveaxis(reduce(result[:length], result[size - span : size - span + length]), 0, axis)


def closing(gray: np.ndarray, size: int) -> np.ndarray:
    """Greyscale closing with a size x size square: dark features narrower than `size` are filled in."""
    for reduce in (np.maximum, np.minimum):
        gray = sliding(sliding(gray, size, 0, reduce), size, 1, reduce)
    return gray


def dilate(mask: np.ndarray) -> np.ndarray:
    return sliding(sliding(mask, 3, 0, np.maximum), 3, 1, np.maximum)


def paper_noise(darkness: np.ndarray, paper_below: float) -> tuple[float, float]:
    """(median, robust standard deviation) of the paper's darkness: the pixels below Otsu's threshold."""
    paper = darkness[darkness <= paper_below]
    median = float(np.median(paper))
    return median, float(1.4826 * np.median(np.abs(paper - median)))


def otsu_threshold(darkness: np.ndarray, above: float) -> float:
    """Otsu's threshold between two groups of the darkness values above `above`."""
    histogram, edges = np.histogram(darkness[darkness > above], bins=256, range=(above, 1))
    if histogram.sum() < 2:
        return above
    weights = histogram.astype(np.float64)
    centres = (edges[:-1] + edges[1:]) / 2
    below = np.cumsum(weights)
    above = below[-1] - below
    mass_below = np.cumsum(weights * centres)
    mean_below = mass_below / np.maximum(below, 1)
    mean_above = (mass_below[-1] - mass_below) / np.maximum(above, 1)
    between = below * above * (mean_below - mean_above) ** 2
    return float(edges[1:][np.argmax(between)])


def label_components(mask: np.ndarray) -> tuple[np.ndarray, int]:
    """8-connected components of a boolean mask: (labels, -1 off the mask and 0..count-1 on it; count).

    Union-find on the pixel graph, vectorised: every edge hooks the larger of its two roots under the
    smaller, then pointer jumping flattens the trees; a handful of rounds for any digit.
    """
    height, width = mask.shape
    ids = np.full(mask.shape, -1, np.int64)
    count = int(mask.sum())
    ids[mask] = np.arange(count)
    firsts, seconds = [], []
    for down, right in ((0, 1), (1, 0), (1, 1), (1, -1)):
        left_cut, right_cut = max(0, -right), max(0, right)
        first = ids[: height - down, left_cut : width - right_cut]
        second = ids[down:, left_cut + right : width - right_cut + right]
        both = (first >= 0) & (second >= 0)
        firsts.append(first[both])
        seconds.append(second[both])
    first, second = np.concatenate(firsts), np.concatenate(seconds)
    parent = np.arange(count)
    while True:
        root_first, root_second = parent[first], parent[second]
        apart = root_first != root_second
        if not apart.any():
            break
        first, second = first[apart], second[apart]
        low = np.minimum(root_first[apart], root_second[apart])
        high = np.maximum(root_first[apart], root_second[apart])
        np.minimum.at(parent, high, low)
        while True:
            grandparent = parent[parent]
            if np.array_equal(grandparent, parent):
                break
            parent = grandparent
    roots, component = np.unique(parent, return_inverse=True)
    labels = np.full(mask.shape, -1, np.int64)
    labels[mask] = component
    return labels, len(roots)


def digit_pieces(labels: np.ndarray, count: int, reach_border: bool) -> np.ndarray | None:
    """The mask of the digit: the largest piece of ink that does not touch the border (or, in a tight crop,
    the largest piece of all), with the pieces of ink near it, such as a 5's detached bar."""
    if count == 0:
        return None
    on = labels >= 0
    component = labels[on]
    rows, columns = np.nonzero(on)
    area = np.bincount(component, minlength=count)
    top = np.full(count, labels.shape[0])
    np.minimum.at(top, component, rows)
    bottom = np.zeros(count, np.int64)
    np.maximum.at(bottom, component, rows)
    left = np.full(count, labels.shape[1])
    np.minimum.at(left, component, columns)
    right = np.zeros(count, np.int64)
    np.maximum.at(right, component, columns)
    on_border = np.unique(border(labels))
    touches = np.zeros(count, bool)
    touches[on_border[on_border >= 0]] = True

    candidates = np.where(touches & (not reach_border), 0, area)
    main = int(np.argmax(candidates))
    extent = max(bottom[main] - top[main], right[main] - left[main]) + 1
    if candidates[main] < MIN_AREA or extent < 0.05 * max(labels.shape):
        return None
    height, width = bottom[main] - top[main] + 1, right[main] - left[main] + 1
    reach = 0.25 * max(height, width)
    near = (
        (bottom >= top[main] - reach)
        & (top <= bottom[main] + reach)
        & (right >= left[main] - reach)
        & (left <= right[main] + reach)
    )
    chosen = near & (area >= 0.03 * area[main]) & (~touches | touches[main])
    chosen[main] = True
    return on & chosen[np.maximum(labels, 0)]
