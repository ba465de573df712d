"""What each output of a command is, decided once: a picture (in the format its suffix names), a .npy
array, text, or a folder of pictures; and every output checked against the command's inputs and its
other outputs before any work is done. Light on purpose (no numpy or Pillow): the CLI imports it first."""

from dataclasses import dataclass
from pathlib import Path

from .errors import EdgeVAEError
from .files import STDOUT, check_output_folder, check_output_path, resolve, same_file, writes_in_place

# What the picture writers produce for each suffix of an output path; one table for the API and the CLI.
PICTURE_FORMATS = {
    ".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP", ".bmp": "BMP", ".tif": "TIFF",
    ".tiff": "TIFF", ".gif": "GIF",
}  # fmt: skip
ARRAY, TEXT, FOLDER = "npy", "text", "folder"


@dataclass(frozen=True)
class Output:
    """One output of a command: where, and what kind (a Pillow format such as "PNG", or ARRAY, TEXT or
    FOLDER)."""

    path: Path
    kind: str

    @property
    def is_picture(self) -> bool:
        return self.kind not in (ARRAY, TEXT, FOLDER)

    @property
    def is_stdout(self) -> bool:
        return self.path == STDOUT


def output_path(value) -> Path:
    """`-` means standard output, as /dev/stdout does."""
    return STDOUT if str(value) == "-" else Path(value)


def picture_format(path) -> str:
    """The Pillow format that the suffix of `path` names: PNG for standard output, or a device without one."""
    path = Path(path)
    suffix = path.suffix.lower()
    if path == STDOUT or (not suffix and writes_in_place(path)):
        return "PNG"
    if suffix not in PICTURE_FORMATS:
        raise EdgeVAEError(
            f"cannot write {path}: {f'{suffix!r} is not' if suffix else 'no suffix names'} a picture format;"
            f" use {', '.join(PICTURE_FORMATS)}"
        )
    return PICTURE_FORMATS[suffix]


def picture_or_array(value) -> Output:
    """A picture, or a .npy array of the images as they are."""
    path = output_path(value)
    if path.suffix.lower() == ".npy":
        return Output(path, ARRAY)
    try:
        return Output(path, picture_format(path))
    except EdgeVAEError as error:
        raise EdgeVAEError(f"{error} or .npy") from None


def check_outputs(outputs, inputs=()) -> None:
    """Before any work: each output can be written, is none of the inputs, and is no other output."""
    outputs = [output for output in outputs if output is not None]
    for index, output in enumerate(outputs):
        if output.kind == FOLDER:
            check_output_folder(output.path, inputs)
        else:
            check_output_path(output.path, inputs, binary=output.kind != TEXT)
        for other in outputs[:index]:
            if resolve(output.path) == resolve(other.path) or same_file(resolve(output.path), other.path):
                raise EdgeVAEError(f"cannot write {output.path} twice: two outputs name it")
