"""Helpers shared by the tests: digit pictures, the CLI in a fresh process or in this one, folder snapshots
(imported by name: tests/ has no packages)."""

import hashlib
import os
import pty
import shlex
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

STROKE = [(40, 40), (120, 60), (90, 250)]  # a "7"-like stroke inside a 200x300 picture
SECOND_STROKE = [(60, 40), (140, 40), (100, 150), (100, 260)]  # the second test digit: a bar and a bent stem

OLD_OUTPUT = b"an existing output, which no failure may touch"  # what a failing command must leave as it was

FLOAT32_FILES = ("encoder.onnx", "generator.onnx", "manifest.json")  # a model folder without its int8 files

# What a runtime-only install lacks; the runtime must work without every one of them.
TRAINING_STACK = ("tensorflow", "keras", "tf2onnx", "onnx")


def draw_digit(
    path: Path, mode: str = "L", dark_on_light: bool = True, size=(200, 300), stroke=STROKE, width=18
) -> Path:
    """A thick stroke, dark on white (like a scan) or white on black (like MNIST)."""
    paper, ink = (255, 0) if dark_on_light else (0, 255)
    colours = {
        "L": (paper, ink),
        "RGB": ((paper,) * 3, (ink,) * 3),
        "RGBA": ((paper,) * 3 + (255,), (ink,) * 3 + (255,)),
    }
    background, foreground = colours[mode]
    image = Image.new(mode, size, background)
    ImageDraw.Draw(image).line(stroke, fill=foreground, width=width)
    image.save(path)
    return path


def copy_model(source: Path, target: Path, names=None) -> Path:
    """A new folder `target` with the model files `names` of the folder `source` (all of them if None)."""
    if names is None:
        return Path(shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.py", "__pycache__")))
    target.mkdir()
    for name in names:
        shutil.copy(source / name, target / name)
    return target


CLI = [sys.executable, "-m", "edgevae.runtime.cli"]  # the CLI as a command line


def run_cli(*args, cwd=None, text=True) -> subprocess.CompletedProcess:
    """The real CLI in a fresh process, as a user would run it."""
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=text, cwd=cwd, timeout=300)


def cli_case(case_id: str, command: str, *words: str, marks=()):
    """One row of a CLI table: its id, the arguments after `edgevae` as a shell splits them, and the
    words its error must name."""
    return pytest.param(shlex.split(command), list(words), id=case_id, marks=marks)


def separate_streams_runner():
    """A CliRunner whose result keeps stdout and stderr apart: click 8.2 always does and has no
    mix_stderr flag; click 8.1 (Debian trixie's, in the emulated armhf root) mixes them unless told."""
    from click.testing import CliRunner

    try:
        return CliRunner(mix_stderr=False)
    except TypeError:
        return CliRunner()


def run_cli_in_process(*args, cwd=None, text=True) -> subprocess.CompletedProcess:
    """The CLI through click's CliRunner in this process: the same exit status, stdout (text) and stderr
    as run_cli without starting an interpreter. What needs a real process (signals, terminals, file
    descriptors, the fd-2 filter) stays with run_cli. An exception that escapes the CLI is raised here."""
    from edgevae.runtime.cli import cli

    previous = os.getcwd()
    os.chdir(cwd or previous)
    try:
        result = separate_streams_runner().invoke(cli, [str(arg) for arg in args], prog_name="edgevae")
    finally:
        os.chdir(previous)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    if text:
        return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout_bytes, result.stderr_bytes)


def run_cli_on_terminal(args, cwd, terminal: str) -> tuple[int, str, bytes]:
    """The real CLI with stdout or stderr on a pseudo-terminal: (exit status, the other stream as text,
    what reached the terminal)."""
    master, slave = pty.openpty()
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, terminal: slave}
    process = subprocess.Popen([*CLI, *map(str, args)], cwd=cwd, **streams)
    os.close(slave)
    seen = bytearray()
    reader = threading.Thread(target=drain, args=(master, seen), daemon=True)
    reader.start()
    other = (process.stderr if terminal == "stdout" else process.stdout).read()
    process.wait(timeout=300)
    reader.join(timeout=10)
    os.close(master)
    return process.returncode, other.decode(), bytes(seen)


def drain(descriptor, seen: bytearray):
    while True:
        try:
            data = os.read(descriptor, 65536)
        except OSError:  # EIO once the other side is closed
            return
        if not data:
            return
        seen += data


def snapshot(folder: Path) -> dict:
    """Every entry under `folder`, without following links: its type and its bytes' hash or link target."""
    entries = {}
    for root, folders, files in os.walk(folder):
        for name in folders + files:
            path = Path(root) / name
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                entries[str(path.relative_to(folder))] = ("link", os.readlink(path))
            elif stat.S_ISREG(mode):
                entries[str(path.relative_to(folder))] = (
                    "file",
                    hashlib.sha256(path.read_bytes()).hexdigest(),
                )
            else:
                entries[str(path.relative_to(folder))] = ("other", stat.S_IFMT(mode))
    return entries


def temporary_files(folder: Path) -> list:
    return list(folder.rglob(".*.tmp"))


def run_without_training_stack(code: str, *args) -> subprocess.CompletedProcess:
    """Python `code` in a fresh process where the training stack cannot be imported,
    as in a runtime-only install.

    Its last stdout line reports the training modules imported anyway: "TRAINING MODULES []" when none.
    """
    blocker = (
        "import atexit, sys\n"
        f"stack = {TRAINING_STACK!r}\n"
        "loaded = lambda: sorted(m for m in sys.modules"
        " if m.split('.')[0] in stack and sys.modules[m] is not None)\n"
        "atexit.register(lambda: print('TRAINING MODULES', loaded()))\n"
        "sys.modules.update({name: None for name in stack})  # `import tensorflow` now fails\n"
    )
    command = [sys.executable, "-c", blocker + code, *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def assert_clean_failure(result, *keywords, exit_code=1):
    """Non-zero exit, exactly one stderr line starting with 'Error:', naming the keywords, no traceback."""
    output = result.stdout + result.stderr
    assert result.returncode == exit_code, output
    assert "Traceback" not in output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: "), lines[0]
    for keyword in keywords:
        assert keyword.lower() in lines[0].lower(), lines[0]


def assert_usage_failure(result, *keywords):
    """Usage errors keep click's format: usage hint, then one 'Error:' line; exit code 2."""
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "Traceback" not in output
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: "), result.stderr
    for keyword in keywords:
        assert keyword.lower() in last.lower(), last
