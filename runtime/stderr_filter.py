"""Filter what C++ libraries write straight to file descriptor 2, where sys.stderr cannot reach.

Used for two known floods: Debian's onnxruntime schema-registration lines (ort_quiet.py) and
TensorFlow's start-up lines (edgevae.train.quiet_tensorflow). Everything the filter keeps is
written back to the real stderr when the block ends: late, never lost.
"""

import contextlib
import os
import sys
import tempfile
from collections.abc import Callable


@contextlib.contextmanager
def filtered_stderr(keep: Callable[[bytes], bytes]):
    """Run the block with fd 2 sent to a temporary file (a pipe could fill up and block), then write
    keep(captured bytes) to the real stderr. Without a real stderr or a temporary folder, no filter."""
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
        finally:
            with contextlib.suppress(AttributeError, OSError, ValueError):
                sys.stderr.flush()  # Python-level writes made inside the block belong to it too
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            kept = keep(capture.read())
            while kept:
                kept = kept[os.write(2, kept) :]
