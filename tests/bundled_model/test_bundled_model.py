"""The model shipped in the package: intact, and good at its job on real MNIST."""

import hashlib
import json

import numpy as np
import pytest
from edgevae.runtime import Encoder, Generator
from edgevae.runtime.model_files import bundled_model_dir

from digit_classifier import asked_digit_quality, classify

ROLES_AND_PRECISIONS = {"encoder.onnx", "generator.onnx", "encoder.int8.onnx", "generator.int8.onnx"}
OTHER_FILES = {"latent_map.json"}  # the web page's map of the test digits


@pytest.fixture(scope="module")
def manifest():
    return json.loads((bundled_model_dir() / "manifest.json").read_text())


def test_shipped_files_match_the_manifest(manifest):
    assert set(manifest["files"]) == ROLES_AND_PRECISIONS | OTHER_FILES
    for name, entry in manifest["files"].items():
        data = (bundled_model_dir() / name).read_bytes()
        assert len(data) == entry["bytes"], name
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], name


def test_bundled_model_was_trained_with_the_full_recipe(manifest):
    assert "mnist" in manifest["data_source"].lower()
    assert manifest["metrics"]["objective"] == "elbo"
    assert manifest["metrics"]["test_negative_elbo_nats"] <= 143.0
    assert all(
        difference <= 1e-5 for outputs in manifest["parity"].values() for difference in outputs.values()
    )


def typical_latent(z_mean: np.ndarray, radius: float = 0.3) -> np.ndarray:
    """The class's densest latent point: the one with the most same-class neighbours within `radius`.

    Not the class mean: in two dimensions the 4, 7 and 9 clusters interleave, so the mean of the 4s
    can fall among the 9s; the densest point is where the encoder puts a typical 4.
    """
    candidates = z_mean[::5]
    neighbours = ((candidates[:, None, :] - z_mean[None, :, :]) ** 2).sum(axis=-1) < radius**2
    return candidates[neighbours.sum(axis=1).argmax()]


@pytest.mark.parametrize("int8", [False, True])
def test_each_class_typical_latent_decodes_to_that_digit(mnist, classifier, int8):
    z_mean, _ = Encoder(int8=int8).encode(mnist.x_test)
    typical = np.stack([typical_latent(z_mean[mnist.y_test == digit]) for digit in range(10)])
    decoded = Generator(int8=int8).generate(typical).reshape(10, 784)
    assert classify(classifier, decoded).tolist() == list(range(10))


def test_reconstructions_keep_their_digit(mnist, classifier):
    images = mnist.x_test[:2000]
    z_mean, _ = Encoder().encode(images)
    reconstructions = Generator().generate(z_mean).reshape(len(images), 784)
    agreement = (classify(classifier, reconstructions) == mnist.y_test[:2000]).mean()
    assert agreement > 0.6  # a 2-D latent blurs 4/9 and 3/5/8; chance is 0.1


def test_latent_map_is_what_the_export_computes_from_the_bundled_encoder(manifest, mnist):
    from edgevae.export.latent_map import POINTS, latent_map
    from edgevae.train.data import as_model_input

    assert manifest["latent_map"] == "latent_map.json"  # written by edgevae export
    shipped = json.loads((bundled_model_dir() / manifest["latent_map"]).read_text())
    expected = latent_map(
        str(bundled_model_dir() / "encoder.onnx"), as_model_input(mnist.x_test), mnist.y_test
    )
    assert shipped["digit"] == expected["digit"] and sorted(set(shipped["digit"])) == list(range(10))
    assert len(shipped["z"]) == POINTS
    # Rounded to 4 decimals; another CPU's float rounding may tip a last digit.
    assert np.abs(np.array(shipped["z"]) - np.array(expected["z"])).max() <= 1.01e-4


def test_manifest_and_every_model_file_carry_the_same_digit_anchors(manifest):
    anchors = manifest["digit_anchors"]
    assert [region["digit"] for region in anchors] == list(range(10))
    for int8 in (False, True):
        assert Generator(int8=int8).digit_anchors == anchors
    assert json.loads(Encoder().config.metadata["digit_anchors"]) == anchors


@pytest.mark.parametrize("int8", [False, True])
def test_asked_for_digits_are_read_as_asked_and_vary(mnist, classifier, int8):
    """100 samples of each digit: the reference classifier reads the asked digit in >= 95% of all and
    >= 85% of each digit's; and they vary at least 0.3x as much as the model's redrawings of real digits."""
    generator = Generator(int8=int8)
    assert classify(classifier, generator.digits()).tolist() == list(range(10))  # the anchors
    figures = asked_digit_quality(classifier, generator, Encoder(int8=int8), mnist, samples=100)
    read, variety = np.array(figures).T
    assert read.mean() >= 0.95, figures
    assert read.min() >= 0.85, figures
    assert np.median(variety) >= 0.3, figures
