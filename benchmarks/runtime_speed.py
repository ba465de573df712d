"""How close the runtime comes to the floor: plain script, run with the training environment (needs `onnx`).

    python benchmarks/runtime_speed.py [MODEL_DIR]

1. Generator.generate at batch 1 against a bare session.run on the same session (per-call overhead).
2. Generator.generate at batch 1024 against the same network as numpy matrix products (compute floor).
3. A fresh `edgevae generate --random 16 --out x.png` process, against just importing its dependencies.
"""

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

from edgevae.runtime import Generator


def median_seconds(call, calls: int, rounds: int = 5) -> float:
    """Median per-call time: the median over rounds of each round's mean, to damp noise from other processes."""
    call()
    means = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            call()
        means.append((time.perf_counter() - start) / calls)
    return statistics.median(means)


def numpy_network(model_path: Path):
    """The generator graph as numpy: supports the node types the exporters emit for a dense network."""
    graph = onnx.load(str(model_path)).graph
    weights = {tensor.name: numpy_helper.to_array(tensor) for tensor in graph.initializer}
    for node in graph.node:  # pre-transpose Gemm weights once, as a hand-written numpy version would
        attributes = {attribute.name: onnx.helper.get_attribute_value(attribute) for attribute in node.attribute}
        if node.op_type == "Gemm" and attributes.get("transB"):
            weights[node.input[1]] = np.ascontiguousarray(weights[node.input[1]].T)
    input_name, output_name = graph.input[0].name, graph.output[0].name
    nodes = [
        (
            node.op_type,
            list(node.input),
            node.output[0],
            {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute},
        )
        for node in graph.node
    ]

    def run(z):
        values = {input_name: z, **weights}
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
                values[output] = 1 / (1 + np.exp(-args[0]))
            elif op_type == "Identity":
                values[output] = args[0]
            else:
                raise NotImplementedError(f"numpy floor has no {op_type}")
        return values[output_name]

    return run


def fresh_process_seconds(command, runs: int = 5) -> float:
    times = []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(command, cwd=folder, check=True, capture_output=True)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    model = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    generator = Generator(model)
    session, config = generator.session, generator.config
    rows = []

    z1 = np.zeros((1, config.latent_dim), dtype=np.float32)
    names, feed = config.output_names, {config.input_name: z1}
    bare = median_seconds(lambda: session.run(names, feed), calls=5000)
    ours = median_seconds(lambda: generator.generate(z1), calls=5000)
    rows.append(("generate, batch 1", "bare session.run", ours, bare))

    z1024 = np.random.default_rng(0).standard_normal((1024, config.latent_dim), dtype=np.float32)
    floor = numpy_network(config.path)
    np.testing.assert_allclose(floor(z1024).reshape(1024, *config.image_shape), generator.generate(z1024), atol=1e-4)
    rows.append(
        (
            "generate, batch 1024",
            "numpy matmuls",
            median_seconds(lambda: generator.generate(z1024), calls=20),
            median_seconds(lambda: floor(z1024), calls=20),
        )
    )

    script = Path(sys.executable).with_name("edgevae")
    cli = fresh_process_seconds([str(script), "generate", "--random", "16", "--out", "x.png"])
    imports = fresh_process_seconds([sys.executable, "-c", "import numpy, onnxruntime, click, PIL.Image"])
    rows.append(("edgevae generate --random 16 (fresh process)", "import deps only", cli, imports))

    print(f"{'measurement':<46} {'runtime':>11} {'reference':>11} {'ratio':>6}  reference is")
    for name, reference_name, ours, reference in rows:
        print(
            f"{name:<46} {format_time(ours):>11} {format_time(reference):>11}"
            f" {ours / reference:>6.2f}  {reference_name}"
        )


def format_time(seconds: float) -> str:
    return f"{seconds * 1e6:.1f} us" if seconds < 1e-3 else f"{seconds * 1e3:.1f} ms"


if __name__ == "__main__":
    main()
