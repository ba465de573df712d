"""train/export load lazily; the runtime never imports the training stack."""

import ast
import importlib.util
import sys
from pathlib import Path

import edgevae.runtime
import pytest
from click.testing import CliRunner
from edgevae.runtime.command_group import TRAINING_EXTRA, EdgeVAEGroup

from helpers import TRAINING_STACK, assert_clean_failure, run_without_training_stack

RUNTIME_SOURCE = Path(edgevae.runtime.__file__).parent


def run_cli_without_training_stack(*args):
    return run_without_training_stack("from edgevae.runtime.cli import main\nmain()\n", *args)


def test_runtime_source_never_imports_the_training_stack():
    for path in RUNTIME_SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] not in TRAINING_STACK, f"{path} imports {name}"
                assert not name.startswith(("edgevae.train", "edgevae.export")), f"{path} imports {name}"


def test_runtime_commands_work_without_the_training_stack(tmp_path, digit_a):
    for args in (
        ["--help"],
        ["generate", "--random", 4, "--out", tmp_path / "digits.png"],
        ["reconstruct", digit_a, "--out", tmp_path / "compare.png"],
    ):
        result = run_cli_without_training_stack(*args)
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines()[-1] == "TRAINING MODULES []"
    assert (tmp_path / "digits.png").is_file() and (tmp_path / "compare.png").is_file()


def lazy_module_exists(module_name: str) -> bool:
    """Whether edgevae.train.cli (say) is installed, without importing edgevae.train itself."""
    package, _, module = module_name.rpartition(".")
    spec = importlib.util.find_spec(package)
    return spec is not None and any(
        (Path(folder) / f"{module}.py").is_file() for folder in spec.submodule_search_locations or []
    )


@pytest.mark.parametrize("name", ["train", "export"])
def test_train_and_export_without_the_training_stack(name):
    result = run_cli_without_training_stack(name, "--epochs", "3")
    result.stdout = ""  # the import report is checked separately
    if lazy_module_exists(f"edgevae.{name}.cli"):
        assert_clean_failure(
            result, f"'edgevae {name}' needs the train extra: pip install '.[train]' in a checkout of edgevae"
        )
    else:
        assert_clean_failure(result, f"'edgevae {name}' is not part of this installation")


@pytest.mark.parametrize("name", ["train", "export"])
def test_train_and_export_help_without_the_training_stack(name):
    result = run_cli_without_training_stack(name, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Usage: edgevae {name} ")
    if lazy_module_exists(f"edgevae.{name}.cli"):
        assert "needs the train extra: pip install '.[train]'" in " ".join(result.stdout.split())


def test_every_summary_fits_the_help_uncut():
    from edgevae.runtime.cli import cli

    output = CliRunner().invoke(cli, ["--help"], terminal_width=80).output
    summaries = {name: command.help.split("\n\n")[0] for name, command in cli.commands.items()}
    summaries.update({name: summary for name, (_, summary) in EdgeVAEGroup.lazy_commands.items()})
    lines = output.split("Commands:\n")[1].splitlines()  # one line each: nothing wrapped or cut
    assert len(lines) == len(summaries)
    for line, (name, summary) in zip(lines, sorted(summaries.items()), strict=True):
        assert line.split(maxsplit=1) == [name, summary]


@pytest.fixture
def group_with_lazy(tmp_path, monkeypatch):
    """A group whose lazy commands live in real modules under tmp_path."""
    (tmp_path / "needs_missing_package.py").write_text("import tensorflow_that_is_not_installed\n")
    (tmp_path / "working_command.py").write_text(
        "import click\n\n@click.command()\n@click.option('--epochs', type=int)\n"
        "def command(epochs):\n    click.echo(f'training for {epochs} epochs')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))

    class Group(EdgeVAEGroup):
        lazy_commands = {
            "train": ("needs_missing_package", "Train."),
            "export": ("module_that_does_not_exist", "Export."),
            "fit": ("working_command", "Fit."),
        }

    return Group(name="edgevae")


def test_a_missing_dependency_gives_the_install_hint(group_with_lazy):
    result = CliRunner().invoke(group_with_lazy, ["train", "--epochs", "3", "extra"])
    assert result.exit_code == 1
    assert result.output == f"Error: 'edgevae train' needs the train extra: {TRAINING_EXTRA}\n"


def test_a_missing_module_says_so(group_with_lazy):
    result = CliRunner().invoke(group_with_lazy, ["export"])
    assert result.exit_code == 1
    assert (
        result.output
        == "Error: 'edgevae export' is not part of this installation (no module module_that_does_not_exist)\n"
    )


def test_a_lazy_command_runs_once_imported(group_with_lazy):
    assert "working_command" not in sys.modules
    help_text = CliRunner().invoke(group_with_lazy, ["--help"]).output
    assert "fit" in help_text and "working_command" not in sys.modules  # listing imports nothing
    result = CliRunner().invoke(group_with_lazy, ["fit", "--epochs", "2"])
    assert result.exit_code == 0 and result.output == "training for 2 epochs\n"
    sys.modules.pop("working_command")
