"""Keep one known flood of onnxruntime noise off stderr, and nothing else.

Debian's onnxruntime build (python3-onnxruntime 1.21, the one 32-bit Raspberry Pi OS users get)
registers the ONNX operator schemas twice. The first session that parses a model in a process
prints about 570 "Schema error: Trying to register schema with name ..." lines, each followed by
a blank line, from C++ straight to file descriptor 2; later sessions print none. Redirecting
sys.stderr cannot catch that, so the first session's creation runs with fd 2 pointed at a
temporary file, and everything in it but those lines is written back to the real stderr
afterwards: onnxruntime's own errors and warnings still reach the user (late, not lost).

What the window costs: output of other threads during it is delayed the same way, and if the
process dies inside it (a crash in onnxruntime's C++), what was captured is lost. Only the first
successful session creation is captured, so the window is short and happens once. Other builds
(PyPI's wheels) print no such lines, so there the window is never opened.
"""

import contextlib
import re
import sys

NOISE = re.compile(rb"^Schema error: Trying to register schema with name [^\n]*\n(?:\n)?", re.MULTILINE)

DEBIAN_PACKAGES = "/usr/lib/python3/dist-packages/"  # where apt's python3-onnxruntime lives

_first_session_done = False


def debian_build(module_file: str | None = None) -> bool:
    """Whether the onnxruntime loaded (or the one at `module_file`) is Debian's package."""
    if module_file is None:
        module = sys.modules.get("onnxruntime")
        module_file = getattr(module, "__file__", None) or ""
    # `in`, not startswith: the emulated armhf tests run Debian's build from inside a root folder.
    return DEBIAN_PACKAGES in module_file


@contextlib.contextmanager
def quiet_schema_noise(force: bool = False):
    """Filter the schema-registration noise out of fd 2 around the first session creation, with Debian's
    onnxruntime (or when forced: the tests check the filter itself with any build)."""
    global _first_session_done
    if _first_session_done or not (force or debian_build()):
        yield
        return
    from .stderr_filter import filtered_stderr  # tempfile: only with Debian's build

    with filtered_stderr(lambda captured: NOISE.sub(b"", captured)):
        yield
        _first_session_done = True
