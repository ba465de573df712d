"""Where each digit lives in the latent space, from the training set's latent means and labels alone.

The class means are no answer: in a 2-D latent space the 4, 7 and 9 clusters interleave, so a class's
mean can fall among another digit's codes. Instead, for each digit:
1. its core: the training codes whose NEIGHBOURS nearest codes are overwhelmingly (MIN_PURITY) of that
   digit, away from the borders it shares with other digits (at least its MIN_CORE_SHARE purest codes);
   and of those the denser half, since sparse tails decode to untypical, often ambiguous digits;
2. PROTOTYPES points that spread over the core: k-means centres, each moved onto its nearest core code
   so that a centre never lands in a gap of a curved region;
3. `scale`: half the median distance between neighbouring prototypes, the local spacing.
A sample of the digit is a random prototype plus Gaussian jitter of standard deviation `scale`. The
`anchor`, the one point that stands for the digit, is the prototype of the largest k-means cluster.

Stored as JSON in manifest.json and each ONNX file's metadata_props (key `digit_anchors`): ten objects
in digit order, {"digit": d, "anchor": [...], "points": [[...], ...], "scale": s}.
"""

import math

import numpy as np

DIGITS = range(10)
NEIGHBOURS = 48
MIN_PURITY = 0.95  # at least this share of a code's neighbours carry its label
MIN_CORE_SHARE = 0.1  # a digit with fewer pure codes than this share keeps that share, the purest
MIN_CODES = 10  # fewer training codes of a digit than this, and its region cannot be told
PROTOTYPES = 32
KMEANS_STEPS = 25
JITTER = 0.5  # the jitter's standard deviation, as a share of the prototypes' spacing
QUERY_STRIDE = (
    2  # the core is chosen among every second code (all of them count as neighbours): half the time
)
CHUNK = 500  # query codes per distance block: 500 x 60,000 float32 is 120 MB
DECIMALS = 4  # stored coordinates are rounded: ample for codes spread over a few units


def missing_digits(labels: np.ndarray) -> list[int]:
    """The digits with too few training codes to find their region."""
    counts = np.bincount(np.asarray(labels).astype(np.int64), minlength=10)
    return [digit for digit in DIGITS if counts[digit] < MIN_CODES]


def digit_anchors(latents: np.ndarray, labels: np.ndarray) -> list[dict]:
    """The ten digits' regions, from latent means [n, latent] and their labels [n] (0-9)."""
    latents = np.asarray(latents, np.float32)
    labels = np.asarray(labels).astype(np.int64)
    if missing_digits(labels):
        raise ValueError(f"too few training codes of digits {missing_digits(labels)}")
    queries, query_labels = latents[::QUERY_STRIDE], labels[::QUERY_STRIDE]
    purity, radius = neighbour_purity(
        queries, query_labels, latents, labels, min(NEIGHBOURS, len(latents) - 1)
    )
    regions = []
    for digit in DIGITS:
        mine = query_labels == digit
        core = core_codes(queries[mine], purity[mine], radius[mine])
        prototypes, sizes = kmeans(core, min(PROTOTYPES, len(core)))
        regions.append(
            {
                "digit": digit,
                "anchor": rounded(prototypes[np.argmax(sizes)]),
                "points": [rounded(point) for point in prototypes],
                "scale": round(JITTER * spacing(prototypes), DECIMALS),
            }
        )
    return regions


def neighbour_purity(queries, query_labels, latents, labels, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per query code: the share of its k nearest other codes that carry its label,
    and the k-th's distance."""
    squared_norms = (latents**2).sum(axis=1)
    purity, radius = np.empty(len(queries), np.float32), np.empty(len(queries), np.float32)
    for start in range(0, len(queries), CHUNK):
        block = queries[start : start + CHUNK]
        distances = (block**2).sum(axis=1)[:, None] - 2 * block @ latents.T + squared_norms[None, :]
        nearest = np.argpartition(distances, k, axis=1)[:, : k + 1]  # the code itself is among them
        same = (labels[nearest] == query_labels[start : start + CHUNK, None]).sum(axis=1) - 1
        purity[start : start + CHUNK] = same / k
        farthest = np.take_along_axis(distances, nearest, axis=1).max(axis=1)
        radius[start : start + CHUNK] = np.sqrt(np.maximum(farthest, 0))
    return purity, radius


def core_codes(codes: np.ndarray, purity: np.ndarray, radius: np.ndarray) -> np.ndarray:
    """The pure codes (at least the MIN_CORE_SHARE purest), and of those the denser half."""
    order = np.lexsort((radius, -purity))  # purest first, the denser first among equals
    pure = order[: max(int((purity >= MIN_PURITY).sum()), math.ceil(MIN_CORE_SHARE * len(codes)))]
    return codes[pure[radius[pure] <= np.median(radius[pure])]]


def kmeans(points: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """(centres [count, latent] moved onto their nearest point, cluster sizes); deterministic:
    farthest-point seeding from the point nearest the mean, then Lloyd steps."""
    chosen = [int(np.argmin(((points - points.mean(axis=0)) ** 2).sum(axis=1)))]
    nearest = ((points - points[chosen[0]]) ** 2).sum(axis=1)
    while len(chosen) < count:
        chosen.append(int(np.argmax(nearest)))
        nearest = np.minimum(nearest, ((points - points[chosen[-1]]) ** 2).sum(axis=1))
    centres = points[chosen].astype(np.float64)
    for _ in range(KMEANS_STEPS):
        assignment = nearest_index(points, centres)
        for index in range(count):
            members = points[assignment == index]
            if len(members):
                centres[index] = members.mean(axis=0)
    sizes = np.bincount(nearest_index(points, centres), minlength=count)
    return points[nearest_index(centres, points)], sizes


def nearest_index(queries: np.ndarray, points: np.ndarray) -> np.ndarray:
    """For each query, the index of its nearest point (one side is small: the prototypes)."""
    return ((queries[:, None, :] - points[None, :, :]) ** 2).sum(axis=-1).argmin(axis=1)


def spacing(prototypes: np.ndarray) -> float:
    """The median distance from a prototype to its nearest other prototype."""
    if len(prototypes) < 2:
        return 0.0
    distances = np.sqrt(((prototypes[:, None, :] - prototypes[None, :, :]) ** 2).sum(axis=-1))
    np.fill_diagonal(distances, np.inf)
    return float(np.median(distances.min(axis=1)))


def rounded(point: np.ndarray) -> list[float]:
    return [round(float(value), DECIMALS) for value in point]
