"""Standard input, pipes, FIFOs and process substitution as picture inputs: `-` and /dev/stdin are
standard input, and "empty" means that zero bytes were read (a pipe's st_size is 0 whatever it holds)."""

import os
import subprocess
import sys
import threading

import pytest

from helpers import assert_clean_failure, draw_digit

CLI = f"{sys.executable} -m edgevae.runtime.cli"


@pytest.fixture
def work(tmp_path):
    draw_digit(tmp_path / "a.png")
    return tmp_path


def shell(command: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", command], cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(f"{CLI} encode - < a.png", id="dash-from-a-file"),
        pytest.param(f"cat a.png | {CLI} encode -", id="dash-from-a-pipe"),
        pytest.param(f"cat a.png | {CLI} encode /dev/stdin", id="dev-stdin-from-a-pipe"),
        pytest.param(f"{CLI} encode <(cat a.png)", id="process-substitution"),
        pytest.param(f"cat a.png | {CLI} reconstruct - --out r.png && test -s r.png", id="reconstruct-dash"),
        pytest.param(
            f"{CLI} generate --random 1 --seed 0 --out - | {CLI} encode -", id="generate-into-encode"
        ),
    ],
)
def test_standard_input_and_pipes_are_pictures(work, command):
    result = shell(command, work)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert "z_mean_0" in result.stdout or "wrote 1 reconstruction" in result.stdout


def test_a_fifo_is_a_picture(work):
    fifo = work / "pipe.png"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes((work / "a.png").read_bytes()), daemon=True)
    writer.start()
    result = shell(f"{CLI} encode pipe.png", work)
    writer.join(timeout=60)
    assert result.returncode == 0 and "pipe.png" in result.stdout, result.stderr


@pytest.mark.parametrize(
    "command, words",
    [
        pytest.param(f": | {CLI} encode -", ["standard input is empty"], id="empty-pipe"),
        pytest.param(f"{CLI} encode - - < a.png", ["standard input is empty"], id="stdin-read-twice"),
        pytest.param(f"{CLI} encode <(:)", ["is empty"], id="empty-process-substitution"),
        pytest.param(f"echo text | {CLI} encode -", ["standard input", "not an image"], id="text-on-stdin"),
    ],
)
def test_empty_and_broken_streams_are_one_line_errors(work, command, words):
    assert_clean_failure(shell(command, work), *words)
