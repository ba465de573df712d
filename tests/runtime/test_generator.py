import numpy as np
import pytest

from edgevae.runtime import EdgeVAEError, Encoder, Generator
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


def test_sample_draws_latents_from_default_rng(generator):
    z = np.random.default_rng(3).standard_normal((5, generator.config.latent_dim), dtype=np.float32)
    np.testing.assert_array_equal(generator.sample(5, seed=3), generator.generate(z))


def test_config_comes_from_the_model(generator):
    assert generator.config.role == "generator"
    assert generator.config.latent_dim == 2
    assert generator.config.image_shape == (28, 28)
    assert generator.config.metadata["format_version"] == "1"


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


@pytest.mark.parametrize("count", [0, -1, 2.5, True])
def test_bad_sample_counts_are_refused(generator, count):
    with pytest.raises(EdgeVAEError, match="positive whole number"):
        generator.sample(count)
