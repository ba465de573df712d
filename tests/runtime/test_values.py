"""The value rules of runtime/checks.py as the API and the CLI meet them: one pixel policy (whole
numbers 0-255, floats 0-1, nothing clipped), finite real numbers (complex refused, float32 overflow
refused without numpy's warning), whole numbers."""

import numpy as np
import pytest
from edgevae.runtime import EdgeVAEError, Encoder, Generator, save_grid, save_png

from helpers import assert_clean_failure, run_cli


@pytest.fixture(scope="module")
def generator():
    return Generator()


@pytest.mark.parametrize(
    "call, words",
    [
        pytest.param(lambda tmp: save_png(np.full((28, 28), 200.0), tmp / "x.png"), ["[0, 1]", "255"],
                     id="save-png-0-255-floats"),
        pytest.param(lambda tmp: save_grid(np.full((2, 28, 28), 300), tmp / "x.png"), ["0-255"],
                     id="save-grid-int-300"),
        pytest.param(lambda tmp: save_png(np.full((28, 28), -0.5), tmp / "x.png"), ["[0, 1]"],
                     id="save-png-negative"),
        pytest.param(lambda tmp: save_png(np.full((28, 28), np.nan), tmp / "x.png"), ["NaN"],
                     id="save-png-nan"),
        pytest.param(lambda tmp: save_png(np.zeros((28, 28), complex), tmp / "x.png"), ["numbers"],
                     id="save-png-complex"),
        pytest.param(lambda tmp: Encoder().encode(np.full((1, 784), 300)), ["0-255"], id="encode-int-300"),
        pytest.param(lambda tmp: Encoder().encode(np.full((1, 784), 2.0)), ["[0, 1]"], id="encode-float-2"),
        pytest.param(lambda tmp: Generator().generate([[1 + 2j, 0]]), ["real numbers", "complex"],
                     id="generate-complex"),
        pytest.param(lambda tmp: Generator().generate([[1e39, 0]]), ["float32", "1e+39"],
                     id="generate-float32-overflow"),
        pytest.param(lambda tmp: Generator().generate([["1", "2"]]), ["numbers"], id="generate-strings"),
        pytest.param(lambda tmp: Generator().sample(3, seed=1.5), ["seed"], id="seed-not-whole"),
    ],
)  # fmt: skip
def test_values_are_refused_in_one_line(tmp_path, call, words):
    with pytest.raises(EdgeVAEError) as raised:
        call(tmp_path)
    for word in words:
        assert word in str(raised.value), str(raised.value)
    assert list(tmp_path.iterdir()) == []


def test_a_float32_overflow_is_one_line_in_the_cli(tmp_path):
    result = run_cli("generate", "--z", "1e39,0", "--out", tmp_path / "x.png")
    assert_clean_failure(result, "float32", "1e+39")  # one line: no numpy overflow warning first
    assert list(tmp_path.iterdir()) == []


def test_in_range_pixels_of_every_kind_save_alike(tmp_path):
    floats = np.linspace(0, 1, 784).reshape(28, 28)
    save_png(floats, tmp_path / "floats.png")
    save_png(np.round(floats * 255).astype(np.int64), tmp_path / "ints.png")
    assert (tmp_path / "floats.png").read_bytes() == (tmp_path / "ints.png").read_bytes()
