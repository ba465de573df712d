import json

import numpy as np
import pytest
from edgevae.runtime import EdgeVAEError, Encoder, Generator
from edgevae.runtime.digits import parse_digit_anchors
from edgevae.runtime.generator import random_latents
from edgevae.runtime.latents import latent_grid


@pytest.fixture(scope="module")
def generator():
    return Generator()


def test_generate_returns_images_in_unit_range(generator):
    images = generator.generate(np.array([[0.0, 0.0], [1.5, -2.0], [-3.0, 3.0]], dtype=np.float32))
    assert images.shape == (3, 28, 28)
    assert images.dtype == np.float32
    assert 0 <= images.min() and images.max() <= 1


@pytest.mark.parametrize("int8", [False, True])
def test_images_over_the_whole_latent_grid_stay_in_range_and_encode(int8):
    # Debian's armhf onnxruntime gives sigmoid outputs of -6e-8 here, which the encoder would refuse.
    images = Generator(int8=int8).generate(latent_grid(2))
    assert 0 <= images.min() and images.max() <= 1
    z_mean, _ = Encoder(int8=int8).encode(images)
    assert np.isfinite(z_mean).all()


def test_generate_accepts_a_single_latent_and_python_lists(generator):
    single = generator.generate([0.5, -0.5])
    assert single.shape == (1, 28, 28)
    np.testing.assert_array_equal(single, generator.generate(np.array([[0.5, -0.5]], dtype=np.float64)))


def test_different_latents_give_different_images(generator):
    images = generator.generate([[-2.0, -2.0], [2.0, 2.0]])
    assert np.abs(images[0] - images[1]).max() > 1e-3


def test_sample_is_deterministic_with_a_seed(generator):
    first = generator.sample(8, seed=7)
    assert first.shape == (8, 28, 28)
    np.testing.assert_array_equal(first, generator.sample(8, seed=7))
    assert not np.array_equal(first, generator.sample(8, seed=8))


def test_sample_draws_latents_from_the_models_prior(generator):
    """A component by weight (its own stream, seeded [seed, 1]), then a point from it (default_rng(seed))."""
    prior = generator.prior
    normals = np.random.default_rng(3).standard_normal((5, generator.config.latent_dim), dtype=np.float32)
    chosen = np.random.default_rng([3, 1]).choice(len(prior.weights), size=5, p=prior.weights)
    z = prior.means[chosen] + np.exp(0.5 * prior.log_vars[chosen]) * normals
    np.testing.assert_array_equal(generator.sample(5, seed=3), generator.generate(z))
    # Drawn in chunks or at once, a seed gives the same latents.
    chunks = np.concatenate(list(random_latents(5000, prior, seed=4, chunk=1234)))
    np.testing.assert_array_equal(chunks, generator.sample_latents(5000, seed=4))


def test_the_bundled_prior_is_a_learned_mixture(generator):
    prior = generator.prior
    assert len(prior.weights) == 100 and prior.weights.sum() == pytest.approx(1)
    assert not prior.is_standard_normal
    samples = generator.sample_latents(100_000, seed=0)
    # The mixture's moments: the mean of the means, and the variance within plus between components.
    np.testing.assert_allclose(samples.mean(axis=0), prior.weights @ prior.means, atol=0.02)
    variance = prior.weights @ (np.exp(prior.log_vars) + prior.means**2) - (prior.weights @ prior.means) ** 2
    np.testing.assert_allclose(samples.var(axis=0), variance, rtol=0.02)


def test_config_comes_from_the_model(generator):
    assert generator.config.role == "generator"
    assert generator.config.latent_dim == 2
    assert generator.config.image_shape == (28, 28)
    assert generator.config.metadata["format_version"] == "2"


def test_loads_from_a_folder_and_from_a_file(model_dir, generator):
    z = [[0.3, 0.1]]
    np.testing.assert_array_equal(Generator(model_dir).generate(z), generator.generate(z))
    np.testing.assert_array_equal(Generator(model_dir / "generator.onnx").generate(z), generator.generate(z))


def test_int8_and_threads_options(model_dir):
    generator = Generator(model_dir, threads=1, int8=True)
    assert generator.config.path.name == "generator.int8.onnx"
    assert generator.session.get_session_options().intra_op_num_threads == 1
    images = generator.sample(4, seed=0)
    assert images.shape == (4, 28, 28) and 0 <= images.min() and images.max() <= 1


@pytest.mark.parametrize(
    "z, keyword",
    [
        ([1.0, 2.0, 3.0], "2 values"),
        ([[1.0], [2.0]], "2 values"),
        (np.zeros((2, 2, 2)), "[n, latent]"),
        ([float("nan"), 0.0], "nan"),
        ([[0.0, 0.0], [float("inf"), 0.0]], "infinity"),
        (["a", "b"], "numbers"),
    ],
)
def test_bad_latents_are_refused(generator, z, keyword):
    with pytest.raises(EdgeVAEError, match="(?i)" + keyword.replace("[", r"\[")):
        generator.generate(z)


@pytest.mark.parametrize(
    "call, keyword",
    [
        pytest.param(lambda generator: generator.sample(0), "whole number 1 or more", id="sample-0"),
        pytest.param(lambda generator: generator.sample(-1), "whole number 1 or more", id="sample-negative"),
        pytest.param(lambda generator: generator.sample(2.5), "whole number 1 or more", id="sample-2.5"),
        pytest.param(lambda generator: generator.sample(True), "whole number 1 or more", id="sample-true"),
        pytest.param(
            lambda generator: generator.sample(10**9, digit=3), "at most 100,000,000", id="sample-1e9"
        ),
        pytest.param(lambda generator: generator.sample(10**12), "at most 100,000,000", id="sample-1e12"),
        pytest.param(lambda generator: generator.digits(10**8), "x 10 = 1,000,000,000", id="digits-1e8"),
        pytest.param(lambda generator: generator.digits(0), "whole number 1 or more", id="digits-0"),
        # 100 million images are 313 GB: counted against this machine's memory before allocating.
        pytest.param(lambda generator: generator.sample(10**8), "GiB in memory", id="sample-1e8-memory"),
        pytest.param(
            lambda generator: generator.generate(np.zeros((10**8, 2), np.float32)[::1]),
            "GiB in memory",
            id="generate-1e8-memory",
        ),
    ],
)
def test_counts_are_refused_before_allocating(generator, call, keyword):
    with pytest.raises(EdgeVAEError, match=keyword.replace("+", r"\+")):
        call(generator)


def test_digit_anchors_describe_ten_regions(generator):
    anchors = generator.digit_anchors
    assert [region["digit"] for region in anchors] == list(range(10))
    for region in anchors:
        assert len(region["anchor"]) == 2 and region["anchor"] in region["points"]
        assert len(region["points"]) >= 8 and all(len(point) == 2 for point in region["points"])
        assert 0 < region["scale"] < 0.5
    anchors_apart = np.array([region["anchor"] for region in anchors])
    assert len(np.unique(anchors_apart, axis=0)) == 10


def test_sample_of_a_digit_is_deterministic_and_varied(generator):
    sevens = generator.sample(12, seed=5, digit=7)
    assert sevens.shape == (12, 28, 28) and 0 <= sevens.min() and sevens.max() <= 1
    np.testing.assert_array_equal(sevens, generator.sample(12, seed=5, digit=7))
    assert not np.array_equal(sevens, generator.sample(12, seed=6, digit=7))
    assert not np.array_equal(sevens, generator.sample(12, seed=5, digit=1))
    assert sevens.std(axis=0).mean() > 0.01  # not twelve copies of one image


def test_sample_of_a_digit_draws_near_its_points(generator):
    """The documented recipe: a uniformly chosen point plus N(0, scale^2) jitter, from default_rng(seed)."""
    region = generator.digit_anchors[3]
    rng = np.random.default_rng(11)
    points = np.asarray(region["points"], np.float32)
    z = points[rng.integers(len(points), size=6)]
    z = z + np.float32(region["scale"]) * rng.standard_normal(z.shape, dtype=np.float32)
    np.testing.assert_array_equal(generator.sample(6, seed=11, digit=3), generator.generate(z))


def test_digits_gives_the_anchors_or_rows_of_samples(generator):
    anchors = generator.digits()
    assert anchors.shape == (10, 28, 28)
    np.testing.assert_array_equal(anchors[4], generator.generate(generator.digit_anchors[4]["anchor"])[0])
    rows = generator.digits(3, seed=2)
    assert rows.shape == (30, 28, 28)
    np.testing.assert_array_equal(rows[27:], generator.sample(3, seed=2, digit=9))


@pytest.mark.parametrize("digit", [10, -1, "7", 2.5, True])
def test_bad_digits_are_refused(generator, digit):
    with pytest.raises(EdgeVAEError, match="whole number from 0 to 9"):
        generator.sample(2, digit=digit)


@pytest.mark.parametrize(
    "text, keyword",
    [
        ("not json", "unreadable digit_anchors"),
        ('[{"digit": 0}]', "ten regions"),
        (
            json.dumps(
                [{"digit": d, "anchor": [0, 0], "points": [[0, 0]], "scale": 0.1} for d in range(9, -1, -1)]
            ),
            "in order",
        ),
        (
            json.dumps([{"digit": d, "anchor": [0], "points": [[0, 0]], "scale": 0.1} for d in range(10)]),
            "2 finite numbers",
        ),
        (
            json.dumps([{"digit": d, "anchor": [0, 0], "points": [], "scale": 0.1} for d in range(10)]),
            "no points",
        ),
        (
            json.dumps([{"digit": d, "anchor": [0, 0], "points": [[0, 0]], "scale": -1} for d in range(10)]),
            "scale",
        ),
    ],
)
def test_damaged_digit_anchors_are_named(text, keyword):
    with pytest.raises(EdgeVAEError, match=keyword):
        parse_digit_anchors(text, 2, "generator.onnx")
