"""Write output files whole or not at all: a temporary file in the same folder, then os.replace.

Three kinds of output are not files to replace, so they are written in place instead:
standard output (STDOUT, what the CLI's `--out -` means), anything under /dev or /proc, and
whatever exists but is not a regular file (a FIFO, /dev/null). A symlink is written through:
its target is replaced and the link is kept. An output is never one of the command's inputs.

Inside `replaced_together()` (each CLI command runs in one), the replacements wait for the block's end:
a command's outputs appear together when it succeeds, and none does when it fails.
"""

import contextlib
import os
import stat
import sys
from pathlib import Path

from .errors import EdgeVAEError, reraised

STDOUT = Path("/dev/stdout")
IN_PLACE_FOLDERS = ("/dev/", "/proc/")  # devices and file descriptors, never replaced by files
DEFAULT_NAME_MAX = 255

_held_back: list[tuple[Path, Path]] | None = None  # (temporary, target) inside replaced_together()


def check_output_path(path, inputs=(), binary: bool = False) -> Path:
    """Fail before any work is done when `path` cannot be written, or would overwrite one of `inputs`.

    `binary` outputs are refused where they would land on a terminal.
    """
    path = Path(path)
    if "\0" in str(path):
        raise EdgeVAEError(f"cannot write {str(path)!r}: the name holds a NUL character")
    if writes_in_place(path):
        if path != STDOUT and not os.path.exists(path):
            raise EdgeVAEError(f"cannot write {path}: no such file (nothing new is made under /dev or /proc)")
        if binary and is_terminal(path):
            raise EdgeVAEError(f"cannot write binary data to {path}: it is a terminal (redirect or pipe it)")
        return path
    target = resolve(path)
    folder = target.parent
    if not folder.exists():
        raise EdgeVAEError(f"cannot write {path}: the folder {folder} does not exist")
    if not folder.is_dir():
        raise EdgeVAEError(f"cannot write {path}: {folder} is not a folder")
    length, limit = len(os.fsencode(target.name)), name_max(folder)
    if length > limit:
        raise EdgeVAEError(
            f"cannot write {path}: its name is {length} bytes long, over this file system's {limit}"
        )
    if target.is_dir():
        raise EdgeVAEError(f"cannot write {path}: it is a folder")
    if target.is_symlink():  # still a link after resolving: a loop
        raise EdgeVAEError(f"cannot write {path}: too many levels of symbolic links")
    for source in inputs:
        if same_file(target, source):
            raise EdgeVAEError(f"cannot write {path}: it is also an input ({source}); choose another output")
    return path


def check_output_folder(folder, inputs=()) -> Path:
    """A folder to write files into: it exists, or can be made inside an existing folder."""
    folder = Path(folder)
    if folder == STDOUT:
        raise EdgeVAEError("cannot write a folder of files to standard output")
    if folder.is_dir():
        return folder
    if folder.exists():
        raise EdgeVAEError(f"cannot write into {folder}: it is not a folder")
    return check_output_path(folder, inputs)


def make_folder(folder, parents: bool = False) -> Path:
    """Make `folder` (and, with parents=True, the folders above it, like mkdir -p)."""
    folder = Path(folder) if parents else check_output_folder(folder)
    with reraised(f"cannot make the folder {folder}"):
        folder.mkdir(parents=parents, exist_ok=True)
    return folder


@contextlib.contextmanager
def replaced_together():
    """Hold back the replacements that atomic_write makes in the block: all happen when it ends without
    an error, none when it fails (the temporary files are removed either way)."""
    global _held_back
    outer, _held_back = _held_back, []
    held = _held_back
    try:
        yield
        for temporary, target in held:
            with reraised(f"cannot write {target}"):
                os.replace(temporary, target)
    finally:
        _held_back = outer
        for temporary, _ in held:
            temporary.unlink(missing_ok=True)


def atomic_write(path, write, binary: bool = True) -> Path:
    """Call write(binary_file) on a temporary file, then move it over `path` in one step.

    Outputs that are not regular files (see the module's docstring) are written in place.
    """
    path = check_output_path(path, binary=binary)
    if writes_in_place(path):
        return write_in_place(path, write)
    target = resolve(path)
    temporary = target.with_name(temporary_name(target.name, target.parent))
    try:
        with reraised(f"cannot write {path}"):
            mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else None
            # os.open applies the umask: new outputs get the usual permissions, replaced ones keep their own.
            with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), "wb") as file:
                write(file)
            if mode is not None:
                os.chmod(temporary, mode)
            if _held_back is not None:
                _held_back.append((temporary, target))
                return path
            os.replace(temporary, target)
    finally:
        if _held_back is None or (temporary, target) not in _held_back:
            temporary.unlink(missing_ok=True)
    return path


def save_array(array, path) -> Path:
    """Save a numpy array as .npy, atomically."""
    import numpy as np

    return atomic_write(path, lambda file: np.save(file, array, allow_pickle=False))


def save_array_chunks(chunks, shape, path) -> Path:
    """Save a float32 .npy shaped `shape` from arrays that fill it in order, holding one chunk at a time."""
    import numpy as np

    shape = tuple(int(size) for size in shape)
    expected = int(np.prod(shape, dtype=np.int64)) * 4
    header = {"descr": np.lib.format.dtype_to_descr(np.dtype("<f4")), "fortran_order": False, "shape": shape}

    def write(file):
        np.lib.format.write_array_header_1_0(file, header)
        written = 0
        for chunk in chunks:
            chunk = np.ascontiguousarray(chunk, dtype="<f4")
            file.write(chunk.data.cast("B"))
            written += chunk.nbytes
        if written != expected:  # a bug, not a user error: never leave a file that lies about its shape
            raise RuntimeError(f"wrote {written} bytes of array data, the header promises {expected}")

    return atomic_write(path, write)


def save_text(text: str, path) -> Path:
    return atomic_write(path, lambda file: file.write(text.encode("utf-8")), binary=False)


def writes_in_place(path: Path) -> bool:
    if path == STDOUT or str(path).startswith(IN_PLACE_FOLDERS):
        return True
    try:
        mode = os.stat(path).st_mode  # follows symlinks: a link to a FIFO is a FIFO
    except (OSError, ValueError):
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def write_in_place(path: Path, write) -> Path:
    """Write to standard output, a device or a FIFO as it is; nothing there to replace atomically."""
    if path == STDOUT:
        if sys.stdout is None:
            raise EdgeVAEError("cannot write to standard output: there is none")
        sys.stdout.flush()
        write(sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return path
    with reraised(f"cannot write {path}"):
        regular = stat.S_ISREG(os.stat(path).st_mode)
        # No O_CREAT: /dev and /proc get no new files. A FIFO blocks here until a reader opens it,
        # as with `>`.
        with os.fdopen(os.open(path, os.O_WRONLY | (os.O_TRUNC if regular else 0)), "wb") as file:
            write(file)
    return path


def is_terminal(path: Path) -> bool:
    if path == STDOUT:
        return sys.stdout is not None and sys.stdout.isatty()
    try:
        if not stat.S_ISCHR(os.stat(path).st_mode):
            return False
        descriptor = os.open(path, os.O_WRONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except (OSError, ValueError):
        return False  # writing reports the error
    try:
        return os.isatty(descriptor)
    finally:
        os.close(descriptor)


def resolve(path: Path) -> Path:
    """The file that writing `path` changes: symlinks followed, even to a target that does not exist yet."""
    return Path(os.path.realpath(path))


def same_file(target: Path, source) -> bool:
    try:
        return os.path.samefile(target, source)
    except (OSError, ValueError):
        return target == resolve(Path(source))


def name_max(folder: Path) -> int:
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError):
        return DEFAULT_NAME_MAX


def temporary_name(name: str, folder: Path) -> str:
    """A hidden, unique name beside the output, `.NAME.RANDOM.tmp`,
    with NAME shortened to fit the file system."""
    tail = f".{os.urandom(4).hex()}.tmp"
    limit = name_max(folder) - len(tail) - 1
    while len(os.fsencode(name)) > limit:
        name = name[:-1]
    return f".{name}{tail}"
