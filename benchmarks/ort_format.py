"""ORT-format copies of the bundled model (`edgevae export --ort`): file sizes and time per call,
against .onnx.

    python -m benchmarks.ort_format [--quick]

Converts the bundled .onnx files into a temporary folder exactly as the export does, then times a
batch-1 call of each file in one onnxruntime session (1 thread), rounds taking turns.
"""

import sys
import tempfile
from pathlib import Path

import numpy as np
import onnxruntime
from edgevae.export.ort_format import convert_to_ort
from edgevae.runtime.model_files import bundled_model_dir

from benchmarks.tables import table
from benchmarks.timing import flatten, interleaved, median_and_spread

NAMES = ["generator.onnx", "generator.ort", "generator.int8.onnx", "generator.int8.ort"]


def report(quick: bool = False) -> str:
    with tempfile.TemporaryDirectory() as folder:
        paths = {}
        for name in NAMES:
            source = bundled_model_dir() / name.replace(".ort", ".onnx")
            paths[name] = source if name.endswith(".onnx") else Path(folder) / name
            if name.endswith(".ort"):
                convert_to_ort(source, paths[name])
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        feeds = {"z": np.array([[0.3, -0.7]], dtype=np.float32)}
        sessions = {
            name: onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
            for name, path in paths.items()
        }
        calls = {
            name: (lambda session=session: session.run(None, feeds)) for name, session in sessions.items()
        }
        latencies = interleaved(calls, rounds=3 if quick else 7, seconds=0.1 if quick else 0.25, least=10)
        rows = [
            [f"`{name}`", f"{paths[name].stat().st_size:,}", median_and_spread(flatten(latencies[name]))]
            for name in NAMES
        ]
    return "\n\n".join(
        [
            "## 7. ORT format (`edgevae export --ort`)",
            "`python -m benchmarks.ort_format`: the bundled generator as .onnx and as the export's .ort copy "
            "(basic optimisations; int8 without constant folding, so its weights stay int8). Batch 1, one "
            "onnxruntime session per file, 1 thread, median (10th–90th percentile).",
            table(["file", "bytes", "generate, batch 1"], rows),
            "An .ort file is not re-optimised when loaded, so the int8 .ort turns its int8 weights into "
            "float32 (Cast, Mul) on every call; the .onnx int8 file has that folded away at load time.",
        ]
    )


if __name__ == "__main__":
    print(report("--quick" in sys.argv))
