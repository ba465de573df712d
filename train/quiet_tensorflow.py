"""Import TensorFlow without its C++ start-up chatter on stderr, unless the user asked for its logs.

TF_CPP_MIN_LOG_LEVEL=2 (set in edgevae/train/__init__.py) silences most of it, but TensorFlow 2.21
logs a few lines through absl before it reads that setting: on CPUs where oneDNN's custom ops are
on by default (Intel), "oneDNN custom operations are on..." twice, each after absl's "All log
messages before absl::InitializeLog()..." warning. Those lines are dropped here, during the import
only; anything else written to stderr meanwhile (Python warnings, errors) is passed on.
Importing this module imports TensorFlow.
"""

import os
import re
import sys
import tempfile

from . import USER_SET_LOG_LEVEL

START_UP_NOISE = re.compile(
    r"WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR$"
    r"|[IW]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ \S+:\d+\] "  # absl's INFO and WARNING lines
)


def import_tensorflow():
    """`import tensorflow`, its absl INFO/WARNING start-up lines dropped unless TF_CPP_MIN_LOG_LEVEL was the user's."""
    if USER_SET_LOG_LEVEL or "tensorflow" in sys.modules:
        import tensorflow
    else:
        with filtered_stderr(START_UP_NOISE):
            import tensorflow
    return tensorflow


class filtered_stderr:
    """Send file descriptor 2 to a temporary file, then pass on the lines that `noise` does not match."""

    def __init__(self, noise: re.Pattern):
        self.noise = noise

    def __enter__(self):
        sys.stderr.flush()
        self.captured = tempfile.TemporaryFile()
        self.saved = os.dup(2)
        os.dup2(self.captured.fileno(), 2)

    def __exit__(self, *exception):
        sys.stderr.flush()
        os.dup2(self.saved, 2)
        os.close(self.saved)
        with self.captured:
            self.captured.seek(0)
            lines = self.captured.read().decode("utf-8", "replace").splitlines(keepends=True)
        sys.stderr.write("".join(line for line in lines if not self.noise.match(line)))
        sys.stderr.flush()


tensorflow = import_tensorflow()
