"""Draw the notebook's latent scatter for an exported model: its encoder's means of the MNIST test set.

For the README, from the bundled model (`make docs`):
    python -m scripts.latent_scatter --out docs/latent.png
"""

import argparse
from pathlib import Path

from edgevae.runtime import Encoder
from edgevae.train.data import load_mnist
from edgevae.train.plots import save_latent_scatter


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="the PNG to write")
    parser.add_argument(
        "--model-dir", type=Path, help="an exported model folder (default: the bundled model)"
    )
    arguments = parser.parse_args()
    mnist = load_mnist()
    z_mean, _ = Encoder(arguments.model_dir).encode(mnist.x_test)
    save_latent_scatter(z_mean, mnist.y_test, arguments.out)
    print(f"wrote {arguments.out}")


if __name__ == "__main__":
    main()
