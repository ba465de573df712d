"""The runtime writes nothing the user did not ask for: onnxruntime's telemetry files stay off by default."""

import os
import subprocess
import sys
from importlib.metadata import version

import pytest

from helpers import draw_digit

TELEMETRY_FOLDER = ".cache/Microsoft/DeveloperTools/.onnxruntime"
API_CALLS = (
    "from edgevae.runtime import Encoder, Generator, load_digit, save_grid\n"
    "import sys\n"
    "images = Generator().sample(4, seed=0)\n"
    "Encoder().encode(load_digit(sys.argv[1]))\n"
    "save_grid(images, sys.argv[2])\n"
)


# onnxruntime 1.32 keeps its telemetry off by itself when one of these says it runs in CI. These tests must
# see what a user's machine does, so the child processes get none of them.
CI_MARKERS = (
    "CI", "TF_BUILD", "GITHUB_ACTIONS", "GITLAB_CI", "CIRCLECI", "TRAVIS", "JENKINS_URL",
    "CODEBUILD_BUILD_ID", "BUILDKITE", "TEAMCITY_VERSION", "APPVEYOR", "BITBUCKET_BUILD_NUMBER",
    "SYSTEM_TEAMFOUNDATIONCOLLECTIONURI",
)  # fmt: skip


def run_with_home(home, *command, **environment):
    ignored = ("ORT_DISABLE_TELEMETRY", *CI_MARKERS)
    env = {key: value for key, value in os.environ.items() if key not in ignored}
    env.update(HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"), **environment)
    result = subprocess.run(
        [sys.executable, *map(str, command)], capture_output=True, text=True, env=env, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return result


def cli(*args):
    return ["-m", "edgevae.runtime.cli", *args]


@pytest.fixture
def home(tmp_path):
    folder = tmp_path / "home"
    folder.mkdir()
    return folder


def test_a_fresh_home_stays_empty(home, tmp_path):
    digit = draw_digit(tmp_path / "digit.png")
    work = tmp_path / "work"
    work.mkdir()
    for command in (
        cli("generate", "--random", 4, "--out", work / "digits.png"),
        cli("encode", digit),
        cli("reconstruct", digit, "--out", work / "compare.png"),
        cli("info"),
        cli("bench", "--batches", 1, "--seconds", 0),
        ["-c", API_CALLS, digit, work / "api.png"],
    ):
        run_with_home(home, *command)
        assert list(home.rglob("*")) == [], command
    assert sorted(path.name for path in work.iterdir()) == ["api.png", "compare.png", "digits.png"]


@pytest.mark.skipif(
    tuple(int(part) for part in version("onnxruntime").split(".")[:2]) < (1, 32),
    reason="the telemetry files are known from onnxruntime 1.32",
)
def test_the_user_can_opt_back_in(home, tmp_path):
    run_with_home(
        home, *cli("generate", "--random", 1, "--out", tmp_path / "x.png"), ORT_DISABLE_TELEMETRY="0"
    )
    assert (home / TELEMETRY_FOLDER / "deviceid").is_file()
