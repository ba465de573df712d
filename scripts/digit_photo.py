"""Write one synthetic phone photo of a real MNIST test digit, for the README's photo example (`make docs`).

The photo synthesis lives with the tests (testkit/digit_photos.py: paper, light, shadows, tilt, noise, JPEG,
EXIF-rotated storage); this script borrows it rather than keep a second copy.
    python -m scripts.digit_photo --index 0 --seed 3 --out docs/photo.jpg
"""

import argparse
from pathlib import Path

import numpy as np
from edgevae.runtime.files import atomic_write
from edgevae.train.data import load_mnist

from testkit.digit_photos import photo


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=int, default=0, help="which MNIST test digit (default: 0, a 7)")
    parser.add_argument("--seed", type=int, default=0, help="the photo effects' seed")
    parser.add_argument("--out", type=Path, required=True, help="the JPEG to write")
    arguments = parser.parse_args()
    digit = load_mnist().x_test[arguments.index]
    _, jpeg = photo(digit, np.random.default_rng(arguments.seed))
    atomic_write(arguments.out, lambda file: file.write(jpeg))
    print(f"wrote {arguments.out}")


if __name__ == "__main__":
    main()
