"""The notebook's latent scatter (section IV.1), drawn with matplotlib."""

import io

import matplotlib

matplotlib.use("Agg")  # no screen needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from edgevae.runtime.files import atomic_write  # noqa: E402


def save_latent_scatter(z_mean: np.ndarray, labels: np.ndarray, path) -> None:
    """The test set's latent means, coloured by digit, with a colour bar."""
    figure, axes = plt.subplots(figsize=(9, 7.5))
    points = axes.scatter(z_mean[:, 0], z_mean[:, 1], c=labels, cmap="tab10", s=2, vmin=-0.5, vmax=9.5)
    figure.colorbar(points, ax=axes, ticks=range(10), label="digit")
    axes.set_xlabel("z[0]")
    axes.set_ylabel("z[1]")
    axes.set_title("MNIST test set in the latent space (means)")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(figure)
    atomic_write(path, lambda file: file.write(buffer.getvalue()))
