"""Import TensorFlow with TF_CPP_MIN_LOG_LEVEL applied to its start-up lines too.

TensorFlow 2.21 logs a few lines through absl before it reads TF_CPP_MIN_LOG_LEVEL: on CPUs where
oneDNN's custom ops are on by default (Intel), "oneDNN custom operations are on..." twice, each
after absl's "All log messages before absl::InitializeLog()..." warning. The level is 2 unless the
user set it (their choice wins); the lines it would have dropped are dropped here, during the import
only. Anything else written to stderr meanwhile (Python warnings, errors) is passed on.
Importing this module imports TensorFlow.
"""

import os
import re
import sys

from edgevae.runtime.stderr_filter import filtered_stderr

ABSL_LINE = re.compile(
    r"([IWEF])\d{4} \d\d:\d\d:\d+\.\d+ +\d+ \S+:\d+\] "
)  # severity, date, time, thread, file
ABSL_PRE_INIT = "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR"
SEVERITIES = "IWEF"  # TF_CPP_MIN_LOG_LEVEL 1 drops INFO, 2 also WARNING, 3 also ERROR


def import_tensorflow():
    """`import tensorflow`, its start-up lines below TF_CPP_MIN_LOG_LEVEL dropped."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # CPU features, oneDNN and XLA service lines are noise
    try:
        level = int(os.environ.get("TF_CPP_MIN_LOG_LEVEL", "0"))
    except ValueError:
        level = 0
    if level < 1 or "tensorflow" in sys.modules:
        import tensorflow
    else:
        with filtered_stderr(lambda captured: drop_lines(captured, level)):
            import tensorflow
    return tensorflow


def drop_lines(captured: bytes, level: int) -> bytes:
    lines = captured.decode("utf-8", "replace").splitlines(keepends=True)
    return "".join(line for line in lines if not below_level(line, level)).encode("utf-8")


def below_level(line: str, level: int) -> bool:
    if line.rstrip("\n") == ABSL_PRE_INIT:
        return True
    match = ABSL_LINE.match(line)
    return bool(match) and SEVERITIES.index(match[1]) < level


tensorflow = import_tensorflow()
