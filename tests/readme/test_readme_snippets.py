"""Every code block in README.md runs as written. Python blocks and shell commands run here, each in a
fresh process in an empty folder that holds the pictures they name (PICTURES). A block marked
<!-- run by: make TARGET --> is run by that target (RUNNERS), which picks it out by the marker; a block
marked <!-- not run: why --> runs nowhere, for the reason it gives (an install from a registry, a
Raspberry Pi's apt, a training run). Any other block fails here until it runs or is marked."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import SECOND_STROKE, draw_digit
from readme_snippets import readme_snippets

ROOT = Path(__file__).resolve().parents[2]
RUNNERS = {
    "make test-npm": ROOT / "scripts" / "test-npm-package.sh",
    "make test-web": ROOT / "web" / "test" / "page.test.mjs",
}
# The pictures the README's commands read, as the user's own: hand-drawn-like digits.
PICTURES = {
    "my-seven.jpg": {},
    "other.png": {"stroke": SECOND_STROKE},
    "photo.jpg": {},
    "a.png": {},
    "b.png": {"stroke": SECOND_STROKE},
}
SNIPPETS = readme_snippets()
SHELLS = ("sh", "bash")


def run_here(snippet, folder: Path) -> subprocess.CompletedProcess:
    if snippet.language == "python":
        command = [sys.executable, "-c", snippet.code]
    elif snippet.language in SHELLS:
        command = ["bash", "-euo", "pipefail", "-c", snippet.code]
    else:
        pytest.fail(
            f"README.md line {snippet.line}: a {snippet.language or 'plain'} block that nothing runs:"
            " make it runnable here, or mark it <!-- run by: make TARGET --> or <!-- not run: why -->"
        )
    # `edgevae` is this interpreter's script, as after `pip install`.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize(
    "snippet",
    [snippet for snippet in SNIPPETS if snippet.marker is None],
    ids=lambda snippet: f"line{snippet.line}",
)
def test_snippet_runs_as_written(snippet, tmp_path):
    for name, options in PICTURES.items():
        draw_digit(tmp_path / name, **options)
    result = run_here(snippet, tmp_path)
    assert result.returncode == 0, f"README.md line {snippet.line}:\n{result.stdout}\n{result.stderr}"
    assert "Traceback" not in result.stderr


def test_every_other_block_says_who_runs_it_or_why_nothing_can():
    marked = [snippet for snippet in SNIPPETS if snippet.marker is not None]
    assert marked, "the README has no marked blocks: the markers' format changed?"
    for snippet in marked:
        kind, _, detail = snippet.marker.partition(":")
        assert kind in ("run by", "not run") and detail.strip(), (
            f"line {snippet.line}: <!-- {snippet.marker} -->"
        )
        if kind == "run by":
            runner = RUNNERS.get(detail.strip())
            assert runner is not None, f"line {snippet.line}: no runner {detail.strip()!r} in RUNNERS"
            assert snippet.marker in runner.read_text(), (
                f"{runner} does not pick out <!-- {snippet.marker} -->"
            )
