"""The compute floor: an exported .onnx network replayed as plain numpy matrix products (needs `onnx`)."""

from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper


def numpy_network(model_path: Path):
    """A function feeding the graph's single input and returning {output name: array}.

    Supports the node types the exporter emits for a dense network; anything else raises.
    """
    graph = onnx.load(str(model_path)).graph
    weights = {tensor.name: numpy_helper.to_array(tensor) for tensor in graph.initializer}
    nodes = [
        (
            node.op_type,
            list(node.input),
            node.output[0],
            {attribute.name: onnx.helper.get_attribute_value(attribute) for attribute in node.attribute},
        )
        for node in graph.node
    ]
    for (
        op_type,
        inputs,
        _,
        attributes,
    ) in nodes:  # pre-transpose Gemm weights once, as hand-written numpy would
        if op_type == "Gemm" and attributes.get("transB"):
            weights[inputs[1]] = np.ascontiguousarray(weights[inputs[1]].T)
    input_name = graph.input[0].name
    output_names = [output.name for output in graph.output]

    def run(x):
        values = {input_name: x, **weights}
        for op_type, inputs, output, attributes in nodes:
            args = [values[name] for name in inputs if name]
            if op_type == "Gemm":
                result = args[0] @ args[1]
                values[output] = result + args[2] if len(args) > 2 else result
            elif op_type == "MatMul":
                values[output] = args[0] @ args[1]
            elif op_type == "Add":
                values[output] = args[0] + args[1]
            elif op_type == "Elu":
                x, alpha = args[0], attributes.get("alpha", 1.0)
                values[output] = np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))
            elif op_type == "Relu":
                values[output] = np.maximum(args[0], 0)
            elif op_type == "Sigmoid":
                with np.errstate(
                    over="ignore"
                ):  # exp(-x) overflows to inf for very negative logits: 1/inf = 0
                    values[output] = 1 / (1 + np.exp(-args[0]))
            elif op_type == "Identity":
                values[output] = args[0]
            else:
                raise NotImplementedError(f"numpy floor has no {op_type}")
        return {name: values[name] for name in output_names}

    return run
