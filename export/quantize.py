"""int8 copies of the exported models (onnxruntime's dynamic quantization) and their error against fp32."""

from pathlib import Path

import numpy as np
from onnxruntime.quantization import QuantType, quantize_dynamic

from edgevae.runtime.errors import EdgeVAEError

from .parity import run_onnx

MAX_MEAN_PIXEL_ERROR = 2e-3  # refuse an int8 generator whose pixels drift more than this on average


def quantize_int8(fp32_path: Path, int8_path: Path) -> None:
    # reduce_range keeps weights to 7 bits: x86 CPUs without VNNI overflow in their u8 x s8 products
    # with full-range weights, which made int8 outputs differ between x86 and ARM.
    quantize_dynamic(fp32_path, int8_path, weight_type=QuantType.QInt8, reduce_range=True)


def int8_error(fp32_path: Path, int8_path: Path, feeds: dict[str, np.ndarray]) -> dict[str, dict[str, float]]:
    """Per output: max and mean absolute difference of the int8 model from the fp32 one."""
    expected, actual = run_onnx(fp32_path, feeds), run_onnx(int8_path, feeds)
    return {
        name: {
            "max_abs": float(np.max(np.abs(expected[name] - actual[name]))),
            "mean_abs": float(np.mean(np.abs(expected[name] - actual[name]))),
        }
        for name in expected
    }


def check_generator_error(error: dict[str, dict[str, float]]) -> None:
    mean = error["image"]["mean_abs"]
    if not mean <= MAX_MEAN_PIXEL_ERROR:
        raise EdgeVAEError(
            f"int8 generator refused: its pixels differ from fp32 by {mean:.3g} on average "
            f"(limit {MAX_MEAN_PIXEL_ERROR:g}); nothing was written"
        )
