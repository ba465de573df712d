"""The versioned contract: format 2 (the bundled model: a learned prior, a digit head) and format 1
(a copy of the model bundled before them, int8 files), and refusal of versions this runtime cannot read."""

import json
from pathlib import Path

import numpy as np
import pytest
from edgevae.runtime import EdgeVAEError, Encoder, Generator
from edgevae.runtime.latents import manifold_grid
from edgevae.runtime.prior import Prior, parse_prior

from helpers import assert_clean_failure, draw_digit, run_cli
from onnx_builder import encoder_model, generator_model

VERSION_1 = Path(__file__).parent.parent / "data" / "v1-model"


def test_a_format_1_model_samples_n01_and_names_no_digits():
    generator, encoder = Generator(VERSION_1, int8=True), Encoder(VERSION_1, int8=True)
    assert generator.config.metadata["format_version"] == "1" and generator.prior.is_standard_normal
    z = np.random.default_rng(3).standard_normal((5, 2), dtype=np.float32)
    np.testing.assert_array_equal(generator.sample(5, seed=3), generator.generate(z))  # as it always did
    assert generator.sample(4, seed=0, digit=7).shape == (4, 28, 28)  # its digit anchors still work
    assert not encoder.knows_digits
    digits = generator.generate(z[:3])  # digits without MNIST: this runs in runtime-only installs too
    z_mean, z_log_var = encoder.encode(digits)
    assert z_mean.shape == z_log_var.shape == (3, 2)
    with pytest.raises(EdgeVAEError, match="no digit head"):
        encoder.classify(digits)
    # Its manifold is the notebook's: normal quantiles.
    np.testing.assert_array_equal(manifold_grid(5, 0.9, generator.prior), manifold_grid(5, 0.9))


def test_a_format_1_model_through_the_cli(tmp_path):
    picture = draw_digit(tmp_path / "d.png")
    result = run_cli("encode", picture, "--model-dir", VERSION_1, "--int8", "--format", "json")
    assert result.returncode == 0, result.stderr
    (record,) = json.loads(result.stdout)
    assert set(record) == {"image", "z_mean", "z_log_var"}


@pytest.mark.parametrize("role", ["encoder", "generator"])
def test_an_unknown_format_version_is_refused_in_one_line(tmp_path, role):
    build, model = (encoder_model, Encoder) if role == "encoder" else (generator_model, Generator)
    (tmp_path / f"{role}.onnx").write_bytes(build(metadata={"format_version": "3", "role": role}))
    with pytest.raises(
        EdgeVAEError, match=r"format_version '3', which this edgevae cannot read \(it reads 1, 2\)"
    ):
        model(tmp_path)
    if role == "generator":
        result = run_cli("generate", "--random", 2, "--model-dir", tmp_path, "--out", tmp_path / "out.png")
        assert_clean_failure(result, "format_version", "upgrade edgevae")
        assert not (tmp_path / "out.png").exists()


def test_a_digit_output_of_the_wrong_size_is_refused(tmp_path):
    from onnx_builder import onnx_model

    path = tmp_path / "encoder.onnx"
    spec = ("float", ["batch", 2])
    path.write_bytes(
        onnx_model(
            [("image", "float", ["batch", 784])],
            [("z_mean", *spec), ("z_log_var", *spec), ("digit_probabilities", "float", ["batch", 9])],
        )
    )
    with pytest.raises(EdgeVAEError, match="digit_probabilities must hold 10 values"):
        Encoder(path)


@pytest.mark.parametrize(
    "prior, keyword",
    [
        ("not json", "unreadable prior"),
        ('{"weights": [1]}', "missing 'means'"),
        ('{"weights": [], "means": [], "log_vars": []}', "non-empty"),
        ('{"weights": [0.5, 0.6], "means": [[0, 0], [1, 1]], "log_vars": [[0, 0], [0, 0]]}', "sum to 1"),
        ('{"weights": [1], "means": [[0, 0, 0]], "log_vars": [[0, 0, 0]]}', "lists of 2 numbers"),
        ('{"weights": [1], "means": [[0, NaN]], "log_vars": [[0, 0]]}', "not finite"),
    ],
)
def test_damaged_prior_metadata_is_named(prior, keyword):
    with pytest.raises(EdgeVAEError, match=keyword):
        parse_prior(prior, 2, "generator.onnx")


def test_mixture_quantiles_match_its_samples():
    prior = Prior(
        np.array([0.3, 0.7]),
        np.array([[-2, 0], [1.5, 2]], np.float32),
        np.array([[0, -1], [-0.5, 0]], np.float32),
    )
    samples = prior.sample(400_000, np.random.default_rng(0), np.random.default_rng(1))
    probabilities = [0.025, 0.2, 0.5, 0.8, 0.975]
    np.testing.assert_allclose(
        prior.quantiles(probabilities), np.quantile(samples, probabilities, axis=0), atol=0.02
    )
