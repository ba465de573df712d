"""The README's pictures are what the bundled model gives users now: `make docs` draws them again."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from helpers import run_cli

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize(
    "name, args",
    [
        ("manifold.png", ["manifold", "--n", 20]),
        ("digits.png", ["generate", "--digits", "--random", 8, "--seed", 0]),
        ("photo-reconstruction.png", ["reconstruct", DOCS / "photo.jpg"]),
    ],
)
def test_readme_picture_is_what_the_cli_draws(tmp_path, name, args):
    result = run_cli(*args, "--out", tmp_path / name)
    assert result.returncode == 0, result.stderr
    shipped, drawn = Image.open(DOCS / name), Image.open(tmp_path / name)
    assert (shipped.mode, shipped.size) == (drawn.mode, drawn.size)
    difference = np.abs(np.asarray(shipped, np.int16) - np.asarray(drawn, np.int16))
    # Equal on the CPU that drew them. Another CPU's kernels may round a float32 sum one ulp apart, and a few
    # pixels lie within 3e-5 of a grey-level boundary:
    # one level on at most 0.1% of pixels is that, not a change.
    assert difference.max() <= 1 and (difference > 0).mean() <= 1e-3, (
        f"docs/{name} differs from the CLI's in {(difference > 0).sum()} pixels (up to {difference.max()}):"
        " run make docs"
    )
