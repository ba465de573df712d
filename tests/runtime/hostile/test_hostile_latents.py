"""Latents from files and options: .npy files that lie, bomb or hold the wrong values, latents and seeds
that are not what they claim; refused in one line, with the earlier output left as it was."""

from pathlib import Path

import numpy as np
import pytest
from edgevae.runtime import Generator


def npy_with_header(path: Path, shape, descr="<f4", data=b"") -> Path:
    """An .npy file whose header claims `shape`, followed by `data`: a lie unless the data fits."""
    with open(path, "wb") as file:
        np.lib.format.write_array_header_1_0(file, {"descr": descr, "fortran_order": False, "shape": shape})
        file.write(data)
    return path


@pytest.mark.parametrize(
    "make, words",
    [
        pytest.param(
            lambda path: npy_with_header(path, (10**12, 2)),
            ["header lies"],
            id="claims-a-trillion-rows",
            marks=pytest.mark.subprocess,
        ),
        pytest.param(
            lambda path: npy_with_header(path, (2**62, 2), data=b"\0" * 64),
            ["header lies"],
            id="claims-2-to-62-rows",
        ),
        pytest.param(
            lambda path: npy_with_header(path, (2, 2), data=b"\0" * 8), ["truncated"], id="truncated"
        ),
        pytest.param(
            lambda path: npy_with_header(path, (2, 2), data=b"\0" * 24), ["header lies"], id="trailing-bytes"
        ),
        pytest.param(
            lambda path: npy_with_header(path, (2, 2, 2), data=b"\0" * 32),
            ["[n, latent]", "[2, 2, 2]"],
            id="three-dimensional",
        ),
        pytest.param(
            lambda path: npy_with_header(path, (2,), "|O", b"\0" * 16),
            ["not a .npy array", "Python objects"],
            id="pickled-objects",
        ),
        pytest.param(
            lambda path: npy_with_header(path, (2, 2), "<c8", b"\0" * 32),
            ["real numbers", "complex"],
            id="complex",
        ),
        pytest.param(
            lambda path: npy_with_header(path, (2,), [("x", "<f4"), ("y", "<f4")], b"\0" * 16),
            ["numeric"],
            id="structured",
        ),
        pytest.param(lambda path: npy_with_header(path, (0, 2)), ["no latents"], id="empty"),
        pytest.param(
            lambda path: path.write_bytes(b"\x93NUMPY\x01\x00" + b"\xff\xff" + b" " * 65535),
            ["not a .npy array"],
            id="header-bomb",
        ),
        pytest.param(
            lambda path: path.write_bytes(b"\x93NUMPY\x09\x00rest"),
            ["not a .npy array"],
            id="unknown-version",
        ),
        pytest.param(lambda path: path.write_text("0,0\n"), ["not a .npy"], id="text"),
        pytest.param(
            lambda path: np.save(path, np.array([[0, 0], [np.inf, 0]])), ["infinity"], id="infinite"
        ),
        pytest.param(lambda path: np.save(path, np.zeros((3, 5))), ["5 values"], id="wrong-latent-size"),
    ],
)
def test_hostile_latent_files(work, fails, make, words):
    make(work / "hostile.npy")
    fails(["generate", "--from", "hostile.npy", "--out", "old.png"], *words)


@pytest.mark.parametrize(
    "args, words, exit_code",
    [
        pytest.param(["--z", "1,2,3"], ["2 values"], 1, id="z-wrong-size"),
        pytest.param(["--z", "nan,0"], ["NaN"], 1, id="z-nan"),
        pytest.param(["--z", "1,two"], ["not a comma-separated list"], 2, id="z-not-numbers"),
        pytest.param(["--random", 2, "--seed", -1], ["--seed", "x>=0"], 2, id="seed-negative"),
        pytest.param(["--random", 2, "--seed", -(10**20)], ["--seed"], 2, id="seed-huge-negative"),
        pytest.param(["--random", 2, "--seed", 1.5], ["--seed"], 2, id="seed-not-whole"),
    ],
)
def test_hostile_latents_and_seeds(fails, args, words, exit_code):
    fails(["generate", *args, "--out", "old.png"], *words, exit_code=exit_code)


def test_api_refuses_hostile_seeds(api_fails):
    api_fails(lambda work: Generator().sample(2, seed=-1), "seed")
    api_fails(lambda work: Generator().sample(2, seed="seven"), "seed")
