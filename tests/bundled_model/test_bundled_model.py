"""The model shipped in the package: intact, and good at its job on real MNIST."""

import hashlib
import json

import numpy as np
import pytest
from edgevae.runtime import Encoder, Generator
from edgevae.runtime.model_files import bundled_model_dir

from testkit.digit_classifier import asked_digit_quality, classify
from testkit.digit_drawings import drawings

ROLES_AND_PRECISIONS = {"encoder.onnx", "generator.onnx", "encoder.int8.onnx", "generator.int8.onnx"}
OTHER_FILES = {"latent_map.json"}  # the web page's map of the test digits
DRAWINGS_GOAL = 0.92


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
    metrics = manifest["metrics"]
    assert metrics["objective"] == "elbo" and metrics["prior"] == "vamp"
    assert metrics["test_negative_elbo_nats"] <= 139.5  # under its own prior; the seed's recipe: 142.27
    # The importance-weighted estimate is a tighter bound: log p(x) >= it >= the ELBO (up to noise).
    assert -metrics["test_negative_elbo_nats"] < metrics["test_log_likelihood_nats"] < 0
    assert metrics["log_likelihood_samples"] >= 1000
    assert metrics["reconstruction_digit_kept"] >= 0.96 and metrics["latent_knn_accuracy"] >= 0.96
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


@pytest.fixture(scope="module")
def drawn(mnist):
    """300 pen-style drawings of test digits (30 of each) through load_digit, and their digits."""
    from edgevae.runtime import load_digit

    picks = np.concatenate([np.flatnonzero(mnist.y_test == digit)[:30] for digit in range(10)])
    return np.stack([load_digit(picture) for picture in drawings(mnist.x_test[picks])]), mnist.y_test[picks]


@pytest.mark.parametrize("int8", [False, True])
def test_reconstructions_keep_their_digit(mnist, classifier, int8):
    """The whole test set: the reference classifier reads the reconstruction as the true digit."""
    z_mean, _ = Encoder(int8=int8).encode(mnist.x_test)
    reconstructions = Generator(int8=int8).generate(z_mean)
    assert (classify(classifier, reconstructions) == mnist.y_test).mean() >= 0.96


@pytest.mark.parametrize("int8", [False, True])
def test_test_digits_lie_among_training_digits_of_their_class(mnist, int8):
    """5-NN accuracy of the test set's latent means among the training set's."""
    from edgevae.train.quality import knn_accuracy

    encoder = Encoder(int8=int8)
    train_codes, _ = encoder.encode(mnist.x_train)
    test_codes, _ = encoder.encode(mnist.x_test)
    assert knn_accuracy(train_codes, mnist.y_train, test_codes, mnist.y_test) >= 0.96


@pytest.mark.parametrize("int8", [False, True])
def test_pen_drawings_keep_their_digit(drawn, classifier, int8):
    images, labels = drawn
    encoder = Encoder(int8=int8)
    reconstructions = Generator(int8=int8).generate(encoder.encode(images)[0])
    assert (classify(classifier, reconstructions) == labels).mean() >= DRAWINGS_GOAL
    assert (encoder.classify(images)[0] == labels).mean() >= DRAWINGS_GOAL  # the model names them too


@pytest.mark.parametrize("int8", [False, True])
def test_prior_samples_are_confident_digits_of_every_kind(classifier, int8):
    """1,000 samples of the model's own prior: the reference classifier reads most with confidence > 0.9,
    and every digit is among them."""
    samples = Generator(int8=int8).sample(1000, seed=0)
    probabilities = classifier.probabilities(samples)
    confident = probabilities.max(axis=1) > 0.9
    assert confident.mean() >= 0.80
    assert set(probabilities[confident].argmax(axis=1).tolist()) == set(range(10))


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
    """100 samples of each digit: the reference classifier reads the asked digit in >= 99% of all and
    >= 90% of each digit's; and they vary at least 0.3x as much as the model's redrawings of real digits."""
    generator = Generator(int8=int8)
    assert classify(classifier, generator.digits()).tolist() == list(range(10))  # the anchors
    figures = asked_digit_quality(classifier, generator, Encoder(int8=int8), mnist, samples=100)
    read, variety = np.array(figures).T
    assert read.mean() >= 0.99, figures
    assert read.min() >= 0.90, figures
    assert np.median(variety) >= 0.3, figures


def test_the_bundled_model_names_digits(mnist):
    encoder = Encoder()
    assert encoder.config.metadata["format_version"] == "2" and encoder.knows_digits
    digits, probabilities = encoder.classify(mnist.x_test[:1000])
    assert (digits == mnist.y_test[:1000]).mean() > 0.95
    assert probabilities.dtype == np.float32 and ((probabilities > 0.1) & (probabilities <= 1)).all()
    full = encoder.digit_probabilities(mnist.x_test[:1000])
    np.testing.assert_allclose(full.sum(axis=1), 1, atol=1e-5)
    np.testing.assert_array_equal(full.argmax(axis=1), digits)
