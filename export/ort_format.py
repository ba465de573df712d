"""ORT-format copies of the exported models, for onnxruntime's minimal and mobile builds.

The same conversion as `python -m onnxruntime.tools.convert_onnx_models_to_ort`: onnxruntime loads
the .onnx with an optimisation level and saves the optimised graph in its own (flatbuffer) format.
Basic optimisations only, so the file runs on any CPU. For int8 files constant folding is turned off:
it would multiply the int8 weights out into float32 and save a file as large as the fp32 one. The
price is measured in BENCHMARKS.md: an .ort file is not re-optimised at load, so an int8 .ort
rebuilds its float weights (Cast, Mul) on every call.
"""

from pathlib import Path

import numpy as np
import onnxruntime
from edgevae.runtime.model_files import file_kind

from .parity import TOLERANCE, ParityError, max_differences, onnx_outputs


def convert_to_ort(onnx_path: Path, ort_path: Path) -> None:
    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_BASIC
    options.optimized_model_filepath = str(ort_path)
    options.add_session_config_entry("session.save_model_format", "ORT")
    options.log_severity_level = 3
    keep_int8 = ["ConstantFolding"] if file_kind(onnx_path.name)[1] == "int8" else []
    onnxruntime.InferenceSession(
        str(onnx_path), options, providers=["CPUExecutionProvider"], disabled_optimizers=keep_int8
    )


def write_ort_copies(folder: Path, inputs: dict[str, dict[str, np.ndarray]]) -> dict[str, dict[str, float]]:
    """An .ort beside every .onnx in `folder`, each checked against its .onnx on `inputs` (by role).

    Returns the max abs difference per file and output; raises ParityError past the export's tolerance.
    """
    parity = {}
    for onnx_path in sorted(folder.glob("*.onnx")):
        ort_path = onnx_path.with_suffix(".ort")
        convert_to_ort(onnx_path, ort_path)
        feeds = inputs[file_kind(onnx_path.name)[0]]
        differences = max_differences(onnx_outputs(str(onnx_path), feeds), onnx_outputs(str(ort_path), feeds))
        for output, difference in differences.items():
            if not difference <= TOLERANCE:  # also catches NaN
                raise ParityError(
                    f"parity check failed: {ort_path.name} output {output} differs from "
                    f"{onnx_path.name} by {difference:.3g} (tolerance {TOLERANCE:g}); nothing was written"
                )
        parity[ort_path.name] = differences
    return parity
