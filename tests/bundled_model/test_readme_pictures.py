"""The README's pictures are what the bundled model gives users now: `make docs` draws them again."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from helpers import run_cli

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize(
    "name, args",
    [("manifold.png", ["manifold", "--n", 20]), ("digits.png", ["generate", "--digits", "--random", 8, "--seed", 0])],
)
def test_readme_picture_is_what_the_cli_draws(tmp_path, name, args):
    result = run_cli(*args, "--out", tmp_path / name)
    assert result.returncode == 0, result.stderr
    shipped, drawn = Image.open(DOCS / name), Image.open(tmp_path / name)
    assert (shipped.mode, shipped.size) == (drawn.mode, drawn.size)
    differ = np.asarray(shipped) != np.asarray(drawn)
    assert not differ.any(), f"docs/{name} differs from the CLI's in {differ.sum()} pixels: run make docs"
