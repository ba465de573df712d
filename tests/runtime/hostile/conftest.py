"""Hostile inputs and paths, by subject: each case asserts the exact outcome (the exit status, a message
naming the problem, no traceback), that nothing is clobbered (inputs and existing outputs keep their
bytes) and that nothing is left behind (no temporary files). The work folder a case runs in is
snapshotted before and compared after.

Most cases run the CLI in this process (click's CliRunner, `run_cli_in_process`); a case marked
`subprocess` runs it as a user does, in a fresh interpreter: one such case per class of error, and every
case whose behaviour needs a real process (signals, terminals, standard output as a file descriptor).
"""

import numpy as np
import pytest
from edgevae.runtime import EdgeVAEError

from helpers import (
    OLD_OUTPUT,
    SECOND_STROKE,
    assert_clean_failure,
    assert_usage_failure,
    copy_model,
    draw_digit,
    snapshot,
    temporary_files,
)


@pytest.fixture
def work(tmp_path, model_dir):
    """a.png and b.png (digits), latents.npy, old.png (an earlier output),
    model/ (the bundled model's files)."""
    folder = tmp_path / "work"
    folder.mkdir()
    draw_digit(folder / "a.png")
    draw_digit(folder / "b.png", stroke=SECOND_STROKE)
    np.save(folder / "latents.npy", np.array([[0, 0], [1, -1]], dtype=np.float32))
    (folder / "old.png").write_bytes(OLD_OUTPUT)
    copy_model(model_dir, folder / "model")
    return folder


@pytest.fixture
def fails(work, cli):
    """fails(args, *words, exit_code=1): the CLI refuses in one line (exit 1) or with a usage error
    (exit 2), naming `words`, and the work folder is as it was. Returns the result."""

    def check(args, *words, exit_code=1):
        before = snapshot(work)
        result = cli(*args, cwd=work)
        (assert_clean_failure if exit_code == 1 else assert_usage_failure)(result, *words)
        assert snapshot(work) == before
        return result

    return check


@pytest.fixture
def succeeds(work, cli):
    """succeeds(args): exit 0, nothing on stderr, no temporary file left. Returns the result."""

    def check(args):
        result = cli(*args, cwd=work)
        assert result.returncode == 0 and result.stderr == "", result.stderr
        assert temporary_files(work) == []
        return result

    return check


@pytest.fixture
def api_fails(work):
    """api_fails(call, *words): call(work) raises a one-line EdgeVAEError naming `words`, and the work
    folder is as it was."""

    def check(call, *words):
        before = snapshot(work)
        with pytest.raises(EdgeVAEError) as raised:
            call(work)
        message = str(raised.value)
        assert "\n" not in message
        for word in words:
            assert word.lower() in message.lower(), message
        assert snapshot(work) == before

    return check
