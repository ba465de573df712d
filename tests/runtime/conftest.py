"""Fixtures for the runtime tests: the bundled model, two digit pictures, and how a case runs the CLI."""

from pathlib import Path

import pytest
from edgevae.runtime.model_files import bundled_model_dir

from helpers import SECOND_STROKE, draw_digit, run_cli, run_cli_in_process


@pytest.fixture(scope="session")
def model_dir() -> Path:
    folder = bundled_model_dir()
    if not (folder / "generator.onnx").is_file():
        pytest.fail(f"no bundled model in {folder}: put the exported files into runtime/pretrained/")
    return folder


@pytest.fixture
def digit_a(tmp_path) -> Path:
    return draw_digit(tmp_path / "a.png")


@pytest.fixture
def digit_b(tmp_path) -> Path:
    return draw_digit(tmp_path / "b.png", stroke=SECOND_STROKE)


@pytest.fixture
def cli(request):
    """How this case runs the CLI: a fresh process if it is marked `subprocess`, else this process."""
    return run_cli if request.node.get_closest_marker("subprocess") else run_cli_in_process
