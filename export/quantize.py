"""int8 copies of the exported models: weights stored as int8 in blocks, and their error against fp32.

Why not onnxruntime's dynamic quantization: it also quantizes each layer's input to 8 bits per
tensor, and this decoder's logits are sharp enough that, for the fully trained model, generated
pixels moved by 0.010 on average and up to 0.6 (measured on 10,000 prior samples), five times the
2e-3 we accept. Quantizing only the weights, symmetric int8 with one scale per 16 inputs of each
output column, moves them by about 1.6e-3, keeps files about 3x smaller, and computes in float32:
the same results on every CPU (dynamic int8 kernels differ between x86 with and without VNNI and ARM).

Each quantized weight W [inputs, outputs] becomes int8 Q [inputs/16, 16, outputs] and float32 scales
S [inputs/16, 1, outputs]; the graph rebuilds W = reshape(float(Q) * S) with standard ONNX ops, which
onnxruntime folds into a constant when it loads the model.
"""

import numpy as np
import onnx
from edgevae.runtime.errors import EdgeVAEError
from onnx import helper, numpy_helper

from .parity import onnx_outputs

BLOCK_SIZE = 16
SMALLEST_QUANTIZED_WEIGHT = 1024  # smaller matrices (the 2 x 128 latent layers) stay float32: ~1 KB each
MAX_MEAN_PIXEL_ERROR = 2e-3  # refuse an int8 generator whose pixels drift more than this on average


def quantize_int8(model: onnx.ModelProto) -> onnx.ModelProto:
    """A copy of `model` with every large MatMul weight stored as block-wise int8."""
    quantized = onnx.ModelProto()
    quantized.CopyFrom(model)
    graph = quantized.graph
    weights = {initializer.name: initializer for initializer in graph.initializer}
    matmul_weights = {
        node.input[1] for node in graph.node if node.op_type == "MatMul" and node.input[1] in weights
    }
    rebuild_nodes = []
    for name in sorted(matmul_weights):
        weight = numpy_helper.to_array(weights[name])
        if weight.ndim != 2 or weight.size < SMALLEST_QUANTIZED_WEIGHT:
            continue
        values, scales = quantize_blocks(weight)
        graph.initializer.remove(weights[name])
        graph.initializer.extend(
            [
                numpy_helper.from_array(values, f"{name}_int8"),
                numpy_helper.from_array(scales, f"{name}_scale"),
                numpy_helper.from_array(np.array(weight.shape, np.int64), f"{name}_shape"),
            ]
        )
        rebuild_nodes += [
            helper.make_node("Cast", [f"{name}_int8"], [f"{name}_float"], to=onnx.TensorProto.FLOAT),
            helper.make_node("Mul", [f"{name}_float", f"{name}_scale"], [f"{name}_blocks"]),
            helper.make_node("Reshape", [f"{name}_blocks", f"{name}_shape"], [name]),
        ]
    nodes = rebuild_nodes + list(
        graph.node
    )  # the rebuilt weights come first: nodes stay in topological order
    del graph.node[:]
    graph.node.extend(nodes)
    return quantized


def quantize_blocks(weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric int8 with one scale per BLOCK_SIZE consecutive inputs of each output column."""
    inputs, outputs = weight.shape
    block = BLOCK_SIZE if inputs % BLOCK_SIZE == 0 else inputs
    blocks = weight.reshape(inputs // block, block, outputs)
    scales = np.abs(blocks).max(axis=1, keepdims=True) / 127.0
    scales[scales == 0] = 1.0  # an all-zero block: any scale gives zeros
    values = np.clip(np.rint(blocks / scales), -127, 127).astype(np.int8)
    return values, scales.astype(np.float32)


def int8_error(fp32_model, int8_model, feeds: dict[str, np.ndarray]) -> dict[str, dict[str, float]]:
    """Per output: max and mean absolute difference of the int8 model from the fp32 one."""
    expected, actual = onnx_outputs(fp32_model, feeds), onnx_outputs(int8_model, feeds)
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
