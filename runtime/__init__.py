"""Run an exported edgevae model with onnxruntime alone.

from edgevae.runtime import Generator, save_grid
images = Generator().sample(16, seed=0)
save_grid(images, "digits.png")
"""

from importlib import import_module

from .errors import EdgeVAEError

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
