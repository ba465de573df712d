"""The seed architecture's parameter counts and the objectives against a numpy reference."""

import numpy as np
import pytest
from edgevae.train.model import Architecture, build_vae
from edgevae.train.objectives import negative_elbo, seed_loss


def encoder_to_mean_parameters(vae):
    names = ("encoder_dense_1", "encoder_dense_2", "z_mean")
    return sum(vae.encoder.get_layer(name).count_params() for name in names)


def test_parameter_counts_equal_the_notebook_summaries():
    vae = build_vae()
    assert encoder_to_mean_parameters(vae) == 234_114
    assert vae.generator.count_params() == 234_896
    assert vae.training_model.count_params() == 469_268


def test_encoder_and_generator_share_the_trained_layers():
    vae = build_vae()
    shared = {id(weight) for weight in vae.training_model.trainable_weights}
    assert {id(weight) for weight in vae.encoder.trainable_weights} <= shared
    assert {id(weight) for weight in vae.generator.trainable_weights} <= shared


def test_sampling_works_for_any_batch_size():
    vae = build_vae(Architecture(latent_dim=3), seed=1)
    for batch in (1, 7, 250):
        outputs = vae.training_model(np.random.default_rng(0).random((batch, 784), dtype=np.float32))
        assert outputs["logits"].shape == (batch, 784) and outputs["z_mean"].shape == (batch, 3)


def reference_terms(images, logits, z_mean, z_log_var):
    probabilities = 1 / (1 + np.exp(-logits.astype(np.float64)))
    bce = -(images * np.log(probabilities) + (1 - images) * np.log(1 - probabilities))
    kl_terms = z_mean**2 + np.exp(z_log_var) - z_log_var - 1
    return bce, kl_terms


@pytest.fixture
def fixed_inputs():
    rng = np.random.default_rng(42)
    images = rng.random((5, 784)).astype(np.float32)
    outputs = {
        "logits": rng.normal(0, 3, (5, 784)).astype(np.float32),
        "z_mean": rng.normal(0, 1, (5, 2)).astype(np.float32),
        "z_log_var": rng.normal(0, 1, (5, 2)).astype(np.float32),
    }
    return images, outputs


def test_negative_elbo_matches_numpy(fixed_inputs):
    images, outputs = fixed_inputs
    bce, kl_terms = reference_terms(images, outputs["logits"], outputs["z_mean"], outputs["z_log_var"])
    expected = bce.sum(axis=1) + 0.5 * 0.3 * kl_terms.sum(axis=1)
    np.testing.assert_allclose(np.asarray(negative_elbo(images, outputs, kl_weight=0.3)), expected, rtol=1e-5)


def test_seed_loss_matches_numpy(fixed_inputs):
    images, outputs = fixed_inputs
    probabilities = np.clip(1 / (1 + np.exp(-outputs["logits"].astype(np.float64))), 1e-7, 1 - 1e-7)
    bce = -(images * np.log(probabilities) + (1 - images) * np.log(1 - probabilities))
    _, kl_terms = reference_terms(images, outputs["logits"], outputs["z_mean"], outputs["z_log_var"])
    expected = bce.mean(axis=1) + 0.0005 * kl_terms.mean(axis=1)
    np.testing.assert_allclose(np.asarray(seed_loss(images, outputs)), expected, rtol=1e-5)
