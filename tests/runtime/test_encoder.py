import numpy as np
import pytest
from edgevae.runtime import EdgeVAEError, Encoder, Generator


@pytest.fixture(scope="module")
def encoder():
    return Encoder()


@pytest.fixture(scope="module")
def pictures():
    """Real-looking inputs: decoded digits, as uint8 0-255."""
    return np.round(Generator().sample(6, seed=1) * 255).astype(np.uint8)


def test_encode_returns_mean_and_log_variance(encoder, pictures):
    z_mean, z_log_var = encoder.encode(pictures)
    assert z_mean.shape == z_log_var.shape == (6, 2)
    assert z_mean.dtype == z_log_var.dtype == np.float32
    assert np.isfinite(z_mean).all() and np.isfinite(z_log_var).all()


def test_uint8_is_scaled_like_float_pixels(encoder, pictures):
    from_uint8 = encoder.encode(pictures)
    from_float = encoder.encode(pictures.astype(np.float32) / 255)
    np.testing.assert_allclose(from_uint8[0], from_float[0], atol=1e-6)
    np.testing.assert_allclose(from_uint8[1], from_float[1], atol=1e-6)


def test_flat_square_and_single_shapes_agree(encoder, pictures):
    square = encoder.encode(pictures)[0]
    np.testing.assert_allclose(encoder.encode(pictures.reshape(6, 784))[0], square, atol=1e-6)
    np.testing.assert_allclose(encoder.encode(pictures[2])[0], square[2:3], atol=1e-6)
    # Plain lists hold floats in [0, 1] (tests/contract/cases.json): 0-255 needs an integer array.
    np.testing.assert_allclose(encoder.encode((pictures[2] / 255).tolist())[0], square[2:3], atol=1e-6)


def test_different_pictures_give_different_codes(encoder, pictures):
    z_mean, _ = encoder.encode(pictures)
    assert np.abs(z_mean[0] - z_mean[1]).max() > 1e-4


def test_int8_encoder_loads(model_dir, pictures):
    encoder = Encoder(model_dir, int8=True)
    assert encoder.config.path.name == "encoder.int8.onnx"
    assert encoder.encode(pictures)[0].shape == (6, 2)


@pytest.mark.parametrize(
    "images, keyword",
    [
        (np.full((28, 28), 2.0, dtype=np.float32), "[0, 1]"),
        (np.full((28, 28), -0.5), "[0, 1]"),
        (np.full((28, 28), np.nan, dtype=np.float32), "nan"),
        (np.full((1, 784), 300), "0-255"),
        (np.zeros((3, 27, 27)), "shaped"),
        (np.zeros((3, 100)), "shaped"),
        (np.full((28, 28), "x"), "numbers"),
    ],
)
def test_bad_images_are_refused(encoder, images, keyword):
    with pytest.raises(EdgeVAEError) as raised:
        encoder.encode(images)
    assert keyword.lower() in str(raised.value).lower()
