"""pixels_json: the generator's images as JSON text within 5e-8 of the float32 values, in their shape."""

import json

import numpy as np
import pytest
from edgevae.runtime import Generator
from edgevae.runtime.latents import prior_samples
from edgevae.runtime.server.pixels_json import pixels_json


@pytest.mark.parametrize("count", [1, 3, 64])
def test_the_generators_images(count):
    images = Generator().generate(prior_samples(2, count))
    text = pixels_json(images)
    decoded = np.array(json.loads(text))
    assert decoded.shape == images.shape
    assert np.abs(decoded - images).max() <= 5e-8
    assert len(text) < len(json.dumps(images.tolist()))


@pytest.mark.parametrize("shape", [(5,), (2, 3), (1, 2, 1), (3, 2, 4), (2, 1, 28, 28)])
def test_any_shape_and_the_bounds(shape):
    values = np.random.default_rng(0).random(shape).astype(np.float32)
    values.flat[0], values.flat[-1] = 0, 1
    decoded = json.loads(pixels_json(values))
    assert np.array(decoded).shape == shape
    assert np.abs(np.array(decoded) - values).max() <= 5e-8
    assert np.array(decoded).flat[0] == 0 and np.array(decoded).flat[-1] == 1


def test_empty_and_out_of_range():
    assert json.loads(pixels_json(np.zeros((0, 28, 28), np.float32))) == []
    for bad in ([[1.5]], [[-0.1]], [[float("nan")]]):
        with pytest.raises(ValueError):
            pixels_json(np.array(bad, np.float32))
