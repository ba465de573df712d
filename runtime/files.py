"""Write output files whole or not at all: a temporary file in the same folder, then os.replace."""

import os
from pathlib import Path

from .errors import EdgeVAEError


def check_output_path(path) -> Path:
    """Fail before any work is done when `path` cannot be written."""
    path = Path(path)
    folder = path.parent
    if not folder.exists():
        raise EdgeVAEError(f"cannot write {path}: the folder {folder} does not exist")
    if not folder.is_dir():
        raise EdgeVAEError(f"cannot write {path}: {folder} is not a folder")
    if path.is_dir():
        raise EdgeVAEError(f"cannot write {path}: it is a folder")
    return path


def check_output_folder(folder) -> Path:
    """A folder to write files into: it exists, or can be made inside an existing folder."""
    folder = Path(folder)
    if folder.is_dir():
        return folder
    if folder.exists():
        raise EdgeVAEError(f"cannot write into {folder}: it is not a folder")
    return check_output_path(folder)


def make_folder(folder, parents: bool = False) -> Path:
    """Make `folder` (and, with parents=True, the folders above it, like mkdir -p)."""
    folder = Path(folder) if parents else check_output_folder(folder)
    try:
        folder.mkdir(parents=parents, exist_ok=True)
    except OSError as error:
        raise EdgeVAEError(f"cannot make the folder {folder}: {error.strerror or error}") from None
    return folder


def atomic_write(path, write) -> Path:
    """Call write(binary_file) on a temporary file, then move it over `path` in one step."""
    path = check_output_path(path)
    temporary = path.with_name(f".{path.name}.{os.urandom(4).hex()}.tmp")
    try:
        # os.open applies the umask, so the output gets the usual permissions.
        with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), "wb") as file:
            write(file)
        os.replace(temporary, path)
    except OSError as error:
        raise EdgeVAEError(f"cannot write {path}: {error.strerror or error}") from None
    finally:
        temporary.unlink(missing_ok=True)
    return path


def save_array(array, path) -> Path:
    """Save a numpy array as .npy, atomically."""
    import numpy as np

    return atomic_write(path, lambda file: np.save(file, array, allow_pickle=False))


def save_text(text: str, path) -> Path:
    return atomic_write(path, lambda file: file.write(text.encode("utf-8")))
