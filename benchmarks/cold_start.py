"""Section 2: a fresh process that draws 16 digits to a PNG, edgevae's command against a Keras script."""

import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from benchmarks.tables import table
from benchmarks.timing import median_and_spread

HERE = Path(__file__).resolve().parent
EDGEVAE_ROW = "`edgevae generate --random 16 --seed 0 --out x.png`"


def commands(model_dir: Path, run_dir: Path | None) -> dict[str, list[str]]:
    """{row name: command}; the Keras rows need a run folder.
    Paths are absolute: the runs happen elsewhere."""
    python = sys.executable
    rows = {
        EDGEVAE_ROW: [
            str(Path(python).with_name("edgevae")),
            "generate",
            "--random",
            "16",
            "--seed",
            "0",
            "--out",
            "x.png",
            "--model-dir",
            str(model_dir.resolve()),
        ],
    }
    if run_dir is not None:
        rows["Keras script: `benchmarks/keras_generate.py` (16 digits, same PNG writer)"] = [
            python,
            str(HERE / "keras_generate.py"),
            str((run_dir / "generator.keras").resolve()),
            "--out",
            "x.png",
        ]
    # For scale: what the imports alone cost, and a bare interpreter.
    rows["imports only: numpy, onnxruntime, click, PIL"] = [
        python,
        "-c",
        "import numpy, onnxruntime, click, PIL.Image",
    ]
    if run_dir is not None:
        rows["imports only: keras (TensorFlow), PIL"] = [python, "-c", "import keras, PIL.Image"]
    rows["bare Python: `python -c pass`"] = [python, "-c", "pass"]
    return rows


def run_measured(command: list[str], folder: str) -> tuple[float, int]:
    """(wall seconds, peak RSS in bytes) of one run. measure_process.py starts it (its docstring says why)
    and reads the command's own resource usage with os.wait4."""
    helper = [sys.executable, "-S", str(HERE / "measure_process.py")]
    with tempfile.TemporaryFile() as stderr:  # a file, not a pipe: TensorFlow's logs could fill a pipe
        result = subprocess.run(
            helper + command, cwd=folder, stdout=subprocess.PIPE, stderr=stderr, text=True
        )
        seconds, status, max_rss = result.stdout.split() if result.returncode == 0 else ("0", "-1", "0")
        if status != "0":
            stderr.seek(0)
            raise RuntimeError(
                f"{' '.join(command)} failed:\n{stderr.read().decode(errors='replace')[-2000:]}"
            )
    kilobytes = 1 if sys.platform == "darwin" else 1024  # ru_maxrss is bytes on macOS, kilobytes on Linux
    return float(seconds), int(max_rss) * kilobytes


def report(model_dir: Path, run_dir: Path | None, quick: bool) -> str:
    runs = 3 if quick else 7
    rows = commands(model_dir, run_dir)
    seconds = {name: [] for name in rows}
    peak_rss = {name: [] for name in rows}
    with tempfile.TemporaryDirectory() as folder:
        # One untimed run each, so every command starts from a warm disk cache.
        for _name, command in rows.items():
            run_measured(command, folder)
        for _ in range(runs):  # take turns, so load from other processes falls on all commands alike
            for name, command in rows.items():
                wall, rss = run_measured(command, folder)
                seconds[name].append(wall)
                peak_rss[name].append(rss)

    base_seconds, base_rss = np.median(seconds[EDGEVAE_ROW]), np.median(peak_rss[EDGEVAE_ROW])
    table_rows = [
        [
            name,
            median_and_spread(seconds[name]),
            f"{np.median(peak_rss[name]) / 2**20:.0f}",
            f"{np.median(seconds[name]) / base_seconds:.2f}x",
            f"{np.median(peak_rss[name]) / base_rss:.2f}x",
        ]
        for name in rows
    ]
    return "\n\n".join(
        [
            "## 2. Fresh process: 16 digits to a PNG",
            f"Each command in its own new process, {runs} timed runs taking turns (after one untimed run"
            " each): wall time median (10th–90th percentile), and the median of the process's peak resident"
            " memory. The last two columns divide the medians by edgevae's.",
            table(
                ["command", "wall time", "peak RSS (MiB)", "time vs edgevae", "RSS vs edgevae"], table_rows
            ),
        ]
    )
