"""Interruption: a signal during a write, or a reader that goes away, ends the command without a
traceback, without a temporary file, and with the earlier output as it was. Real processes only."""

import signal
import subprocess
import time

import pytest

from helpers import CLI, OLD_OUTPUT, snapshot, temporary_files

pytestmark = pytest.mark.host_only  # real processes timed by the wall clock: too slow to trust under qemu


def default_sigint():
    # A shell's background job starts with SIGINT ignored, and a child inherits that: reset it, so the
    # test does not depend on how pytest itself was started.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize(
    "signal_number, exit_code",
    [
        pytest.param(signal.SIGTERM, 128 + signal.SIGTERM, id="SIGTERM"),
        pytest.param(signal.SIGINT, 1, id="SIGINT"),
    ],
)
def test_a_signal_during_a_write_leaves_nothing_behind(work, signal_number, exit_code):
    """2,000,000 images (6.3 GB as .npy) stream into a temporary file; the signal arrives mid-write."""
    (work / "big.npy").write_bytes(OLD_OUTPUT)
    process = subprocess.Popen(
        [*CLI, "generate", "--random", "2000000", "--out", "big.npy"],
        cwd=work,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=default_sigint,
    )
    deadline = time.monotonic() + 300
    while not any(path.stat().st_size > 10**6 for path in temporary_files(work)):
        assert process.poll() is None and time.monotonic() < deadline, process.stderr.read()
        time.sleep(0.05)
    process.send_signal(signal_number)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == exit_code, stderr
    assert "Traceback" not in stderr
    assert temporary_files(work) == []
    assert (work / "big.npy").read_bytes() == OLD_OUTPUT


def test_a_reader_that_goes_away_early(work):
    before = snapshot(work)
    process = subprocess.Popen(
        [*CLI, "generate", "--random", "20000", "--out", "-"],
        cwd=work,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout.read(100).startswith(b"\x89PNG")
    process.stdout.close()
    stderr = process.stderr.read().decode()
    process.wait(timeout=300)
    assert process.returncode == 1 and "Traceback" not in stderr and "Exception ignored" not in stderr
    assert snapshot(work) == before
