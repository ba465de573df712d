"""Pictures whose values are not finite: float TIFFs holding infinity or NaN are refused in one line."""

from pathlib import Path

import numpy as np
import pytest
from edgevae.runtime import load_digit
from PIL import Image


def float_tiff(path: Path, special: float) -> Path:
    values = np.zeros((40, 40), dtype=np.float32)
    values[5:35, 15:25] = 1.0
    values[0, 0] = special
    Image.fromarray(values, mode="F").save(path)
    return path


@pytest.mark.parametrize(
    "args, value, words",
    [
        pytest.param(
            ["encode", "bad.tif"],
            np.inf,
            ["bad.tif", "infinite"],
            id="infinity",
            marks=pytest.mark.subprocess,
        ),
        pytest.param(["encode", "bad.tif"], -np.inf, ["bad.tif", "infinite"], id="minus-infinity"),
        pytest.param(["reconstruct", "bad.tif", "--out", "x.png"], np.nan, ["bad.tif", "NaN"], id="nan"),
    ],
)
def test_float_tiffs_that_are_not_finite(work, fails, api_fails, args, value, words):
    """Refused by load_digit, and so by every command that reads a picture."""
    float_tiff(work / "bad.tif", value)
    api_fails(lambda work: load_digit(work / "bad.tif"), *words)
    fails(args, *words)
