"""What the README promises about the options: a wrong one is a usage error (exit 2, click's usage block),
and --model-dir, --threads and --int8 are on the commands the README names."""

import pytest

from helpers import run_cli_in_process


@pytest.mark.parametrize(
    "args, words",
    [
        pytest.param(
            ["info", "--threads", 2], ["--threads"], id="info-threads", marks=pytest.mark.subprocess
        ),
        pytest.param(["info", "--int8"], ["--int8"], id="info-int8"),
        pytest.param(["info", "--json"], ["--json"], id="info-json-flag"),
        pytest.param(["bench", "--json"], ["--json"], id="bench-json-flag"),
        pytest.param(["info", "--format", "yaml"], ["--format"], id="info-format-yaml"),
        pytest.param(["generate"], ["missing option", "--out"], id="generate-bare"),
    ],
)
def test_usage_errors_exit_2_with_a_usage_block(fails, args, words):
    result = fails(args, *words, exit_code=2)
    assert result.stderr.startswith("Usage: edgevae ")


@pytest.mark.parametrize(
    "command", ["generate", "encode", "manifold", "reconstruct", "interpolate", "bench", "info"]
)
def test_model_options_are_where_the_readme_says(command):
    options = run_cli_in_process(command, "--help").stdout
    assert "--model-dir" in options
    for option in ("--threads", "--int8"):
        assert (option in options) == (command != "info"), (command, option)
