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
import os
import re
import sys
import tempfile

NOISE = re.compile(rb"^Schema error: Trying to register schema with name [^\n]*\n(?:\n)?", re.MULTILINE)

_first_session_done = False


@contextlib.contextmanager
def quiet_schema_noise():
    """Filter the schema-registration noise out of fd 2 around the first session creation."""
    global _first_session_done
    if _first_session_done:
        yield
        return
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (AttributeError, OSError, ValueError):  # no stderr to protect (closed, or not a real file)
        yield
        return
    try:
        capture = tempfile.TemporaryFile()
    except OSError:  # no writable temporary folder: let the noise through rather than fail
        os.close(saved)
        yield
        return
    with capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield
            _first_session_done = True
        finally:
            with contextlib.suppress(AttributeError, OSError, ValueError):
                sys.stderr.flush()  # Python-level writes made inside the window belong to it too
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            kept = NOISE.sub(b"", capture.read())
            while kept:
                kept = kept[os.write(2, kept) :]
