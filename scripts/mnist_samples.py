"""Save the first MNIST test image of each digit as a PNG (digit_0.png ... digit_9.png), for the demo."""

import argparse
from pathlib import Path

import numpy as np
from edgevae.runtime.images import save_png
from edgevae.train.data import load_mnist


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, required=True, help="folder to write the PNGs into")
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    mnist = load_mnist()
    for digit in range(10):
        index = int(np.flatnonzero(mnist.y_test == digit)[0])
        save_png(mnist.x_test[index], out / f"digit_{digit}.png")
    print(f"wrote 10 test digits to {out}")


if __name__ == "__main__":
    main()
