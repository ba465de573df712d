"""Run an exported edgevae model with onnxruntime alone.

from edgevae.runtime import Generator, save_grid
images = Generator().sample(16, seed=0)
save_grid(images, "digits.png")
"""

import os
from importlib import import_module

# onnxruntime (1.32) writes a device id and a telemetry database under ~/.cache/Microsoft/ unless
# this is set when it is imported. A runtime embedded in apps and devices writes only the outputs
# asked for, so it is off unless the user set it (ORT_DISABLE_TELEMETRY=0 opts back in).
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

from .errors import EdgeVAEError  # noqa: E402

# Exports load on first use so that `import edgevae.runtime` (and the CLI's
# start-up) does not pay for numpy, onnxruntime, pillow or importlib.metadata up front.
_LAZY_EXPORTS = {
    "Generator": ".generator",
    "Encoder": ".encoder",
    "load_digit": ".images",
    "save_png": ".images",
    "save_grid": ".images",
}

__all__ = ["Generator", "Encoder", "load_digit", "save_png", "save_grid", "EdgeVAEError", "__version__"]


def __getattr__(name: str):
    if name == "__version__":
        return package_version()
    if name not in _LAZY_EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_LAZY_EXPORTS[name], __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("edgevae")
    except PackageNotFoundError:  # a source tree that was never installed
        return "0+unknown"
