"""Foreign ONNX models for the loader's tests, written as protobuf bytes by hand.

The runtime tests also run where the `onnx` package is not installed (the emulated ARM run), so the
few fields these models need are encoded here directly. Each declared output is computed from the
first input as Cast(Reshape(MatMul(ReduceSum(Cast(x, float), axis 1), W), [-1, *size])), so any
declared shape or element type is a model onnxruntime loads and runs.
"""

import math
import struct

ELEMENT_TYPES = {"float": 1, "uint8": 2, "int32": 6, "int64": 7, "float16": 10, "double": 11}
DYNAMIC_SIZE = 7  # what a dynamic non-batch dimension holds when the model runs


def varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def integer(field: int, value: int) -> bytes:
    return varint(field << 3) + varint(value & (2**64 - 1))


def message(field: int, payload) -> bytes:
    payload = payload.encode() if isinstance(payload, str) else payload
    return varint(field << 3 | 2) + varint(len(payload)) + payload


def value_info(name: str, element_type: str, dims) -> bytes:
    shape = b"".join(
        message(1, integer(1, size) if isinstance(size, int) else message(2, size)) for size in dims
    )
    tensor_type = integer(1, ELEMENT_TYPES[element_type]) + message(2, shape)
    return message(1, name) + message(2, message(1, tensor_type))


def tensor(name: str, dims, values, element_type="float") -> bytes:
    fmt = {"float": "<f", "int64": "<q"}[element_type]
    raw = b"".join(struct.pack(fmt, value) for value in values)
    return (
        b"".join(integer(1, size) for size in dims)
        + integer(2, ELEMENT_TYPES[element_type])
        + message(8, name)
        + message(9, raw)
    )


def node(op_type: str, inputs, outputs, to: int | None = None) -> bytes:
    fields = b"".join(message(1, name) for name in inputs) + b"".join(message(2, name) for name in outputs)
    fields += message(4, op_type)
    if to is not None:  # Cast's `to` attribute: AttributeProto name=1, i=3, type=20 (INT)
        fields += message(5, message(1, "to") + integer(3, to) + integer(20, 2))
    return message(1, fields)


def onnx_model(inputs, outputs, metadata=None, output_sizes=None) -> bytes:
    """Model bytes. inputs/outputs: [(name, element type, dims)], a dim an int or a name (dynamic).

    output_sizes: {output name: size} to make a model compute another size than it declares.
    """
    source = inputs[0][0]
    nodes = [
        node("Cast", [source], ["x_float"], to=ELEMENT_TYPES["float"]),
        node("ReduceSum", ["x_float", "axes"], ["x_sum"]),
    ]
    initializers = [message(5, tensor("axes", [1], [-1], "int64"))]
    if len(inputs[0][2]) > 2:
        nodes.insert(1, node("Flatten", ["x_float"], ["x_flat"]))
        nodes[2] = node("ReduceSum", ["x_flat", "axes"], ["x_sum"])
    for name, element_type, dims in outputs:
        sizes = [size if isinstance(size, int) else DYNAMIC_SIZE for size in dims[1:]]
        if output_sizes and name in output_sizes:
            sizes = [output_sizes[name]]
        width = math.prod(sizes)
        initializers.append(message(5, tensor(f"{name}_w", [1, width], [0.5] * width)))
        initializers.append(message(5, tensor(f"{name}_shape", [len(sizes) + 1], [-1, *sizes], "int64")))
        nodes += [
            node("MatMul", ["x_sum", f"{name}_w"], [f"{name}_wide"]),
            node("Reshape", [f"{name}_wide", f"{name}_shape"], [f"{name}_float"]),
            node("Cast", [f"{name}_float"], [name], to=ELEMENT_TYPES[element_type]),
        ]
    graph = b"".join(nodes) + message(2, "foreign") + b"".join(initializers)
    graph += b"".join(message(11, value_info(*spec)) for spec in inputs)
    graph += b"".join(message(12, value_info(*spec)) for spec in outputs)
    model = integer(1, 8) + message(2, "edgevae-tests") + message(7, graph) + message(8, integer(2, 13))
    for key, value in (metadata or {}).items():
        model += message(14, message(1, key) + message(2, value))
    return model


def generator_model(z=("float", ["batch", 2]), image=("float", ["batch", 784]), **options) -> bytes:
    return onnx_model([("z", *z)], [("image", *image)], **options)


def encoder_model(image=("float", ["batch", 784]), z_mean=("float", ["batch", 2]), z_log_var=None, **options):
    z_log_var = z_log_var or z_mean
    return onnx_model([("image", *image)], [("z_mean", *z_mean), ("z_log_var", *z_log_var)], **options)
