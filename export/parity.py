"""The parity gate: Keras and onnxruntime side by side on real inputs, before anything is written."""

import json

import numpy as np
import onnx
import onnxruntime
from edgevae.runtime.errors import EdgeVAEError
from edgevae.runtime.latents import latent_grid, model_prior_samples, prior_samples
from edgevae.runtime.prior import parse_prior

TOLERANCE = 1e-5  # max absolute difference per output; the bundled model measures up to 8.5e-6


class ParityError(EdgeVAEError):
    pass


def session_for(model: onnx.ModelProto | str) -> onnxruntime.InferenceSession:
    source = model.SerializeToString() if isinstance(model, onnx.ModelProto) else str(model)
    return onnxruntime.InferenceSession(source, providers=["CPUExecutionProvider"])


def onnx_outputs(model, feeds: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    session = session_for(model)
    names = [output.name for output in session.get_outputs()]
    return dict(zip(names, session.run(names, feeds), strict=True))  # by name: tf2onnx sorts dict outputs


def keras_outputs(model, inputs: np.ndarray, batch_size: int = 1000) -> dict[str, np.ndarray]:
    """model(x, training=False) in batches. Not model.predict: it compiles with XLA, whose float
    rounding differs from the model's own by up to 8e-6 here, close to the tolerance."""
    batches = [
        model(inputs[start : start + batch_size], training=False)
        for start in range(0, len(inputs), batch_size)
    ]
    if not isinstance(batches[0], dict):
        batches = [{"image": batch} for batch in batches]
    return {name: np.concatenate([np.asarray(batch[name]) for batch in batches]) for name in batches[0]}


def max_differences(expected: dict[str, np.ndarray], actual: dict[str, np.ndarray]) -> dict[str, float]:
    return {name: float(np.max(np.abs(expected[name] - actual[name]))) for name in expected}


def generator_inputs(latent_dim: int, prior: dict) -> dict[str, np.ndarray]:
    """The generator's parity inputs: a grid over +-4 in every dimension, N(0, I) samples, and samples of
    the model's own prior (the exported `prior` metadata), which may reach beyond the grid."""
    mixture = parse_prior(json.dumps(prior), latent_dim, "the exported prior")
    return {
        "latent grid": latent_grid(latent_dim),
        "N(0, I) samples": prior_samples(latent_dim),
        "prior samples": model_prior_samples(mixture),
    }


def check_parity(
    encoder, generator, encoder_onnx, generator_onnx, test_images: np.ndarray, prior: dict
) -> dict:
    """Max abs differences per model and output; raises ParityError naming the first that fails."""
    latent_dim = generator.input.shape[-1]
    checks = {
        "encoder": (encoder, encoder_onnx, {"test images": {"image": test_images}}),
        "generator": (
            generator,
            generator_onnx,
            {name: {"z": z} for name, z in generator_inputs(latent_dim, prior).items()},
        ),
    }
    figures = {}
    for role, (keras_model, onnx_model, input_sets) in checks.items():
        for input_name, feeds in input_sets.items():
            expected = keras_outputs(keras_model, next(iter(feeds.values())))
            differences = max_differences(expected, onnx_outputs(onnx_model, feeds))
            role_figures = figures.setdefault(role, {})
            for output, difference in differences.items():
                role_figures[output] = max(role_figures.get(output, 0.0), difference)
                if not difference <= TOLERANCE:  # also catches NaN
                    raise ParityError(
                        f"parity check failed: {role} output {output} differs from Keras by {difference:.3g} "
                        f"on the {input_name} (tolerance {TOLERANCE:g}); nothing was written"
                    )
    return figures
