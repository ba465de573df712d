"""Section 6: load_digit on phone-style photos of MNIST test digits (testkit/digit_photos.py),
against clean scans.

    python -m benchmarks.photos [--count 200] [--seed 0]

Agreement: the reference classifier's (testkit/digit_classifier.py) class for the reconstruction from each
picture equals its class for the reconstruction from the clean MNIST digit.
"""

import argparse
import io
import time

import numpy as np
from edgevae.runtime import Encoder, Generator, load_digit

from benchmarks.tables import table
from benchmarks.timing import format_time
from testkit.digit_classifier import classify, train_classifier
from testkit.digit_photos import MAX_TILT, photo_set


def read_all(files: list[bytes]) -> tuple[np.ndarray, float]:
    """(the 28x28 digits, median seconds per load_digit call, file bytes to array)."""
    digits, seconds = [], []
    for data in files:
        started = time.perf_counter()
        digits.append(load_digit(io.BytesIO(data)))
        seconds.append(time.perf_counter() - started)
    return np.stack(digits), float(np.median(seconds))


def report(count: int = 200, seed: int = 0) -> str:
    from edgevae.train.data import load_mnist

    mnist = load_mnist()
    weights = train_classifier(mnist)
    encoder, generator = Encoder(), Generator()

    def reconstructed_class(digits):
        return classify(weights, generator.generate(encoder.encode(digits)[0]))

    rows = []
    for max_tilt in (MAX_TILT, 8):
        indices, photos, scans = photo_set(mnist.x_test, count=count, seed=seed, max_tilt=max_tilt)
        clean = reconstructed_class(mnist.x_test[indices])
        truth = mnist.y_test[indices]

        def row(name, digits, seconds, clean=clean, truth=truth):
            read = reconstructed_class(digits)
            agreement, right = (read == clean).mean(), (read == truth).mean()
            return [name, count, f"{agreement:.3f}", f"{right:.3f}", format_time(seconds)]

        if max_tilt == MAX_TILT:
            rows.append(
                ["clean digits (MNIST itself)", count, "1.000", f"{(clean == truth).mean():.3f}", "-"]
            )
            rows.append(row("clean scans (upscaled, dark on white, JPEG)", *read_all(scans)))
        rows.append(row(f"photos, tilt up to {max_tilt}°", *read_all(photos)))
    return "\n\n".join(
        [
            "## 6. Photos of digits",
            f"`load_digit` on {count} MNIST test digits (seed {seed}) made into phone-style JPEG photos by"
            " testkit/digit_photos.py (600-1200 px: paper tone and texture, pen or pencil, tilt, desk edges,"
            " light gradient, vignetting, shadow bands, colour cast, defocus, noise, JPEG, EXIF-rotated"
            " storage), and the same digits as clean scans. Agreement: the reference classifier gives the"
            " reconstruction from the picture the class it gives the reconstruction from the clean digit;"
            " digit right: that class is the true digit (the clean digits' row is the model's ceiling)."
            " Time: median of one `load_digit` call, JPEG bytes to 28x28. The tilt alone costs agreement, as"
            " MNIST digits are upright: the 8° row shows by how much.",
            table(
                ["pictures", "count", "agreement with the clean digit", "digit right", "time per picture"],
                rows,
            ),
        ]
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(report(args.count, args.seed))


if __name__ == "__main__":
    main()
