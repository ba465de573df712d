"""Section 1: generator and encoder latency per call, edgevae's runtime beside Keras and the numpy floor."""

from functools import partial

import numpy as np
from edgevae.runtime import Encoder, Generator
from edgevae.runtime.errors import EdgeVAEError

from benchmarks.numpy_floor import numpy_network
from benchmarks.tables import table
from benchmarks.timing import flatten, format_time, interleaved, median_and_spread, paired_ratio

BATCHES = (1, 32, 1024)
COLUMNS = (
    "edgevae fp32",
    "edgevae int8",
    "bare session.run",
    "numpy floor",
    "Keras model(x)",
    "Keras predict",
)
# The runtime issue's targets: per-call overhead at batch 1, compute efficiency at batch 1024.
TARGETS = (("bare session.run", 1, 2.0), ("numpy floor", 1024, 1.5))
RUNTIMES = {"generator": (Generator, "generate"), "encoder": (Encoder, "encode")}


def implementations(role, model_dir, keras_model) -> tuple[dict, object]:
    """({column: function(x)}, the runtime's ModelConfig) for one role; columns without files are left out."""
    runtime_class, method = RUNTIMES[role]
    fp32 = runtime_class(model_dir)
    config = fp32.config
    functions = {"edgevae fp32": getattr(fp32, method)}
    try:
        functions["edgevae int8"] = getattr(runtime_class(model_dir, int8=True), method)
    except EdgeVAEError:
        pass  # exported without --quantize int8
    session, names = fp32.session, config.output_names
    functions["bare session.run"] = lambda x: session.run(names, {config.input_name: x})
    functions["numpy floor"] = numpy_network(config.path)
    if keras_model is not None:
        functions["Keras model(x)"] = lambda x: keras_model(x, training=False)
        functions["Keras predict"] = lambda x: keras_model.predict(x, verbose=0)
    return functions, config


def example_input(role, config, batch: int) -> np.ndarray:
    rng = np.random.default_rng(batch)
    if role == "generator":
        return rng.standard_normal((batch, config.latent_dim), dtype=np.float32)
    return rng.random((batch, int(np.prod(config.image_shape))), dtype=np.float32)


def check_floor(functions, config, x) -> None:
    """The floor must compute the same network, or its times mean nothing."""
    expected = dict(zip(config.output_names, functions["bare session.run"](x), strict=True))
    for name, value in functions["numpy floor"](x).items():
        np.testing.assert_allclose(value, expected[name], atol=1e-4, err_msg=f"numpy floor differs on {name}")


def report(model_dir, run_dir, quick: bool) -> str:
    rounds, seconds, least = (3, 0.1, 5) if quick else (7, 0.25, 10)
    keras_models = {"encoder": None, "generator": None}
    if run_dir is not None:
        from edgevae.export.convert import load_keras_models

        keras_models["encoder"], keras_models["generator"] = load_keras_models(run_dir)

    rows, ratio_rows = [], []
    for role in RUNTIMES:
        functions, config = implementations(role, model_dir, keras_models[role])
        check_floor(functions, config, example_input(role, config, 1024))
        for batch in BATCHES:
            x = example_input(role, config, batch)
            latencies = interleaved(
                {name: partial(f, x) for name, f in functions.items()}, rounds, seconds, least
            )
            cells = [median_and_spread(flatten(latencies[c])) if c in latencies else "–" for c in COLUMNS]
            rows.append([role, batch, *cells])
            for reference, target_batch, target in TARGETS:
                if batch == target_batch:
                    ratio_rows.append(ratio_row(role, batch, latencies, reference, target))

    return "\n\n".join(
        [
            "## 1. Latency per call",
            f"Median (10th–90th percentile) of one call, over {rounds} rounds that take turns between the"
            f" columns, each of at least {least} calls and {seconds:g} s. edgevae fp32/int8:"
            " `Generator.generate` and `Encoder.encode`, input checks included. Bare session.run: the fp32"
            " session with no checks. numpy floor: the fp32 .onnx replayed as numpy matrix products (checked"
            " to agree within 1e-4). Keras: the run folder's .keras files, given numpy arrays; predict splits"
            " a batch into its default 32s. Thread counts are each library's default.",
            table(["model", "batch", *COLUMNS], rows),
            "edgevae fp32 over the reference: the median of the rounds' ratios, each of that round's medians."
            " The targets are the runtime issue's, set for the generator.",
            table(
                [
                    "model",
                    "batch",
                    "reference",
                    "edgevae fp32",
                    "reference time",
                    "ratio (median of rounds)",
                    "lowest–highest round",
                    "target",
                    "met",
                ],
                ratio_rows,
            ),
        ]
    )


def ratio_row(role, batch, latencies, reference, target) -> list:
    ratio, lowest, highest = paired_ratio(latencies["edgevae fp32"], latencies[reference])
    return [
        role,
        batch,
        reference,
        format_time(float(np.median(flatten(latencies["edgevae fp32"])))),
        format_time(float(np.median(flatten(latencies[reference])))),
        f"{ratio:.2f}x",
        f"{lowest:.2f}–{highest:.2f}x",
        f"≤ {target:g}x",
        "yes" if ratio <= target else "no",
    ]
