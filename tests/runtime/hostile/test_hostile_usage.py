"""What the README promises about the options: a wrong one is a usage error (exit 2, click's usage block),
and --model-dir, --threads and --int8 are on the commands the README names."""

import pytest

from helpers import cli_case, run_cli_in_process


@pytest.mark.parametrize(
    "args, words",
    [
        cli_case("info-threads", "info --threads 2", "--threads", marks=pytest.mark.subprocess),
        cli_case("info-int8", "info --int8", "--int8"),
        cli_case("info-json-flag", "info --json", "--json"),
        cli_case("bench-json-flag", "bench --json", "--json"),
        cli_case("info-format-yaml", "info --format yaml", "--format"),
        cli_case("generate-bare", "generate", "missing option", "--out"),
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
