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
successful session creation is captured, so the window is short and happens once.
"""

import contextlib
import re

from .stderr_filter import filtered_stderr

NOISE = re.compile(rb"^Schema error: Trying to register schema with name [^\n]*\n(?:\n)?", re.MULTILINE)

_first_session_done = False


@contextlib.contextmanager
def quiet_schema_noise():
    """Filter the schema-registration noise out of fd 2 around the first session creation."""
    global _first_session_done
    if _first_session_done:
        yield
        return
    with filtered_stderr(lambda captured: NOISE.sub(b"", captured)):
        yield
        _first_session_done = True
