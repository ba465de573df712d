"""`edgevae train` and `edgevae export` keep TensorFlow's C++ start-up lines off stderr on any x86 CPU.

On Intel CPUs TensorFlow turns oneDNN's custom ops on and logs a banner through absl before it reads
TF_CPP_MIN_LOG_LEVEL; TF_ENABLE_ONEDNN_OPTS=1 does the same on AMD, so both settings are tried here.
"""

import os
import subprocess
import sys

import pytest

from helpers import assert_clean_failure

pytestmark = pytest.mark.slow
ONEDNN_BANNER = "oneDNN custom operations are on"


def run_cli_with(environment, *args):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("TF_CPP_MIN_LOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS")
    }
    env.update(environment)
    command = [sys.executable, "-m", "edgevae.runtime.cli", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)


@pytest.mark.parametrize("onednn", ["1", "0"])
@pytest.mark.parametrize("command", ["train", "export"])
def test_errors_are_one_line_with_onednn_on_and_off(tmp_path, command, onednn):
    args = ["--data", tmp_path / "absent.npz", "--out", tmp_path / "run"] if command == "train" else [
        tmp_path / "absent", "--out", tmp_path / "model"]  # fmt: skip
    result = run_cli_with({"TF_ENABLE_ONEDNN_OPTS": onednn}, command, *args)
    assert_clean_failure(result, "not found")


def test_a_log_level_the_user_set_wins(tmp_path):
    environment = {"TF_ENABLE_ONEDNN_OPTS": "1", "TF_CPP_MIN_LOG_LEVEL": "0"}
    result = run_cli_with(environment, "export", tmp_path / "absent", "--out", tmp_path / "model")
    assert result.returncode == 1 and ONEDNN_BANNER in result.stderr
    assert result.stderr.splitlines()[-1] == f"Error: run folder not found: {tmp_path / 'absent'}"
