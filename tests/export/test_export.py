"""The exporter on a model trained here on real MNIST: parity, refusal, metadata, int8, no TensorFlow."""

import hashlib
import json

import numpy as np
import onnx
import pytest
from edgevae.export import convert
from edgevae.export.export_run import export_run
from edgevae.export.parity import TOLERANCE, ParityError, check_parity
from edgevae.runtime import Encoder, Generator
from edgevae.runtime.errors import EdgeVAEError
from edgevae.train.data import as_model_input

from helpers import assert_clean_failure, run_cli, run_without_training_stack

pytestmark = pytest.mark.slow
STANDARD_NORMAL = {"weights": [1.0], "means": [[0.0, 0.0]], "log_vars": [[0.0, 0.0]]}


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export") / "run"
    result = run_cli("train", "--epochs", 2, "--subset", 3000, "--out", folder)
    assert result.returncode == 0, result.stderr
    return folder


@pytest.fixture(scope="module")
def exported(run_dir):
    model_dir = run_dir.parent / "model"
    result = run_cli("export", run_dir, "--out", model_dir, "--quantize", "int8", "--ort")
    assert result.returncode == 0, result.stderr
    return model_dir, result.stdout


def metadata_of(path):
    return {entry.key: entry.value for entry in onnx.load(path).metadata_props}


def test_exported_models_follow_the_contract(exported):
    model_dir, _ = exported
    for name, inputs, outputs in [
        ("encoder", ["image"], ["digit_probabilities", "z_log_var", "z_mean"]),
        ("generator", ["z"], ["image"]),
    ]:
        model = onnx.load(model_dir / f"{name}.onnx")
        onnx.checker.check_model(model, full_check=True)
        assert [value.name for value in model.graph.input] == inputs
        assert sorted(value.name for value in model.graph.output) == outputs
        assert model.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"
        assert not [node for node in model.graph.node if "Random" in node.op_type]  # sampling is the caller's


def test_parity_figures_are_printed_and_within_tolerance(exported):
    model_dir, stdout = exported
    assert "Parity with Keras" in stdout
    for role, outputs in [
        ("encoder", ("z_mean", "z_log_var", "digit_probabilities")),
        ("generator", ("image",)),
    ]:
        parity = json.loads(metadata_of(model_dir / f"{role}.onnx")["parity"])
        assert set(parity) == set(outputs)
        assert all(0 <= difference <= TOLERANCE for difference in parity.values())


def test_metadata_and_manifest(exported, run_dir):
    model_dir, _ = exported
    metrics = json.loads((run_dir / "metrics.json").read_text())
    manifest = json.loads((model_dir / "manifest.json").read_text())
    for name, entry in manifest["files"].items():
        data = (model_dir / name).read_bytes()
        assert entry["bytes"] == len(data) and entry["sha256"] == hashlib.sha256(data).hexdigest()
    assert sorted(manifest["files"]) == [
        "encoder.int8.onnx",
        "encoder.int8.ort",
        "encoder.onnx",
        "encoder.ort",
        "generator.int8.onnx",
        "generator.int8.ort",
        "generator.onnx",
        "generator.ort",
        "latent_map.json",
    ]
    assert manifest["metrics"]["test_negative_elbo_nats"] == metrics["test_negative_elbo_nats"]
    assert manifest["data_source"] == metrics["data_source"]
    metadata = metadata_of(model_dir / "generator.onnx")
    assert metadata["role"] == "generator" and metadata["format_version"] == "2"
    assert metadata["latent_dim"] == "2" and json.loads(metadata["image_shape"]) == [28, 28]
    assert metadata["pixel_scale"] == "1/255" and metadata["opset"] == "17"
    assert json.loads(metadata["metrics"])["epochs"] == 2
    assert {"edgevae_version", "data_source", "created"} <= set(metadata)
    assert metadata_of(model_dir / "encoder.onnx")["role"] == "encoder"
    for key in ("reconstruction_digit_kept", "latent_knn_accuracy", "digit_head_accuracy"):
        assert manifest["metrics"][key] == metrics[key]
    assert manifest["metrics"]["log_likelihood_samples"] >= 1000


def test_the_prior_travels_with_the_model(exported, run_dir):
    """The VampPrior's pseudo-inputs, encoded by the exported encoder, are the prior's components."""
    model_dir, _ = exported
    prior = json.loads((model_dir / "manifest.json").read_text())["prior"]
    assert json.loads(metadata_of(model_dir / "generator.onnx")["prior"]) == prior
    pseudo_inputs = np.load(run_dir / "pseudo_inputs.npy")
    assert len(prior["weights"]) == len(pseudo_inputs) == 100 and sum(prior["weights"]) == pytest.approx(1)
    z_mean, z_log_var = Encoder(model_dir).encode(pseudo_inputs)
    np.testing.assert_allclose(prior["means"], z_mean, atol=1e-6)
    np.testing.assert_allclose(prior["log_vars"], z_log_var, atol=1e-6)
    generator = Generator(model_dir)
    np.testing.assert_allclose(generator.prior.means, z_mean, atol=1e-6)
    samples = generator.sample_latents(20_000, seed=0)
    # A mixture of the components: the samples' mean is the components' mean, and every sample lies near one.
    np.testing.assert_allclose(samples.mean(axis=0), z_mean.mean(axis=0), atol=0.05)


def test_the_digit_head_is_exported_and_reads_digits(exported, mnist):
    model_dir, _ = exported
    encoder = Encoder(model_dir)
    digits, probabilities = encoder.classify(mnist.x_test[:500])
    assert digits.dtype == np.int64 and probabilities.shape == (500,)
    assert ((probabilities > 0.1) & (probabilities <= 1)).all()
    assert (digits == mnist.y_test[:500]).mean() > 0.2  # two short epochs on 3,000 images; chance is 0.1


def test_int8_models_are_smaller_and_close(exported):
    model_dir, stdout = exported
    manifest = json.loads((model_dir / "manifest.json").read_text())
    for role in ("encoder", "generator"):
        assert (
            manifest["files"][f"{role}.int8.onnx"]["bytes"] < manifest["files"][f"{role}.onnx"]["bytes"] / 3
        )
        assert f"{role}.int8.onnx" in stdout
    error = manifest["int8_error"]["generator"]["image"]
    assert 0 < error["mean_abs"] <= 2e-3 and error["max_abs"] < 0.1
    assert metadata_of(model_dir / "generator.int8.onnx")["precision"] == "int8"


def test_exported_files_run_where_tensorflow_cannot_be_imported(exported, mnist):
    model_dir, _ = exported
    code = (
        "import numpy as np\n"
        "from edgevae.runtime import Encoder, Generator\n"
        f"model = {str(model_dir)!r}\n"
        "images = np.load(sys.argv[1])\n"
        "z_mean, z_log_var = Encoder(model).encode(images)\n"
        "decoded = Generator(model).generate(z_mean)\n"
        "print(z_mean.shape, decoded.shape, float(np.abs(decoded - images / 255.0).mean()))\n"
    )
    images_path = model_dir.parent / "images.npy"
    np.save(images_path, mnist.x_test[:50])
    result = run_without_training_stack(code, images_path)
    assert result.returncode == 0, result.stderr
    shapes, loaded = result.stdout.strip().splitlines()
    assert shapes.startswith("(50, 2) (50, 28, 28)")
    assert float(shapes.split()[-1]) < 0.2  # reconstructions resemble their originals
    assert loaded == "TRAINING MODULES []"


def test_gate_refuses_weights_changed_after_conversion(run_dir, mnist):
    encoder, generator = convert.load_keras_models(run_dir)
    encoder_onnx, generator_onnx = convert.encoder_to_onnx(encoder), convert.generator_to_onnx(generator)
    kernel = generator.get_layer("decoder_logits").kernel
    kernel.assign(kernel.numpy() + 1e-3)
    with pytest.raises(ParityError, match=r"generator output image differs from Keras by [0-9.e-]+"):
        check_parity(
            encoder, generator, encoder_onnx, generator_onnx, as_model_input(mnist.x_test), STANDARD_NORMAL
        )


def test_gate_refusing_leaves_no_files(run_dir, tmp_path, monkeypatch):
    real_conversion = convert.encoder_to_onnx

    def tampered_conversion(encoder, opset):
        model = real_conversion(encoder, opset)
        weights = model.graph.initializer[0]
        array = onnx.numpy_helper.to_array(weights) * 1.01
        weights.CopyFrom(onnx.numpy_helper.from_array(array, weights.name))
        return model

    monkeypatch.setattr(convert, "encoder_to_onnx", tampered_conversion)
    with pytest.raises(ParityError, match="encoder output z_"):
        export_run(run_dir, tmp_path / "model", int8=True, report=lambda line: None)
    assert list(tmp_path.iterdir()) == []


def test_existing_model_folder_needs_force(exported, run_dir):
    model_dir, _ = exported
    before = (model_dir / "manifest.json").read_bytes()
    result = run_cli("export", run_dir, "--out", model_dir)
    assert_clean_failure(result, "--force")
    assert (model_dir / "manifest.json").read_bytes() == before


def test_missing_run_folder_and_wrong_architecture(tmp_path, run_dir):
    result = run_cli("export", tmp_path / "absent", "--out", tmp_path / "model")
    assert_clean_failure(result, "run folder not found")
    import keras

    wrong = tmp_path / "wrong"
    wrong.mkdir()
    for name in ("generator.keras", "metrics.json"):
        (wrong / name).write_bytes((run_dir / name).read_bytes())
    inputs = keras.Input((10,))
    keras.Model(inputs, keras.layers.Dense(3)(inputs)).save(wrong / "encoder.keras")
    result = run_cli("export", wrong, "--out", tmp_path / "model")
    assert_clean_failure(result, "not an edgevae encoder")
    assert not (tmp_path / "model").exists()
    (wrong / "encoder.keras").write_bytes(b"not a zip")
    assert_clean_failure(run_cli("export", wrong, "--out", tmp_path / "model"), "cannot load")


def test_unsupported_opset_is_a_usage_error(run_dir, tmp_path):
    result = run_cli("export", run_dir, "--out", tmp_path / "model", "--opset", "19")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    with pytest.raises(EdgeVAEError, match="opset 19"):
        convert.to_onnx(None, None, 19)


def test_ort_copies_keep_int8_weights_match_their_onnx_and_load_in_the_runtime(exported, mnist):
    model_dir, _ = exported
    manifest = json.loads((model_dir / "manifest.json").read_text())
    files = manifest["files"]
    for role in ("encoder", "generator"):
        assert (
            files[f"{role}.int8.ort"]["bytes"] < files[f"{role}.ort"]["bytes"] / 2.5
        )  # not folded to float32
        for name in (f"{role}.ort", f"{role}.int8.ort"):
            assert all(difference <= TOLERANCE for difference in manifest["ort_parity"][name].values())
    images = mnist.x_test[:100]
    for int8 in ("", ".int8"):
        z_ort, _ = Encoder(model_dir / f"encoder{int8}.ort").encode(images)
        z_onnx, _ = Encoder(model_dir / f"encoder{int8}.onnx").encode(images)
        assert np.abs(z_ort - z_onnx).max() <= TOLERANCE
        decoded = Generator(model_dir / f"generator{int8}.ort").generate(z_onnx)
        assert (
            np.abs(decoded - Generator(model_dir / f"generator{int8}.onnx").generate(z_onnx)).max()
            <= TOLERANCE
        )


def test_latent_map_holds_encoded_test_digits(exported, mnist):
    model_dir, _ = exported
    manifest = json.loads((model_dir / "manifest.json").read_text())
    latent_map = json.loads((model_dir / manifest["latent_map"]).read_text())
    z, digits = np.array(latent_map["z"]), np.array(latent_map["digit"])
    assert z.shape == (2000, 2) and sorted(set(digits.tolist())) == list(range(10))
    # Each point is the encoder's z_mean of a test image with that label, to the map's 4 decimals.
    z_mean, _ = Encoder(model_dir).encode(mnist.x_test)
    nearest = ((z[:, None, :] - z_mean[None, :, :]) ** 2).sum(axis=-1).argmin(axis=1)
    assert np.abs(z_mean[nearest] - z).max() <= 1.01e-4
    assert (
        mnist.y_test[nearest] == digits
    ).mean() > 0.99  # ties between identical codes may pick another image


def test_digit_anchors_in_the_manifest_and_every_file(exported):
    model_dir, stdout = exported
    assert "Digit anchors for 0-9 from the codes and labels of 3000 training images" in stdout
    anchors = json.loads((model_dir / "manifest.json").read_text())["digit_anchors"]
    assert [region["digit"] for region in anchors] == list(range(10))
    assert all(
        1 <= len(region["points"]) <= 32 and region["anchor"] in region["points"] for region in anchors
    )
    for name in ("encoder.onnx", "generator.onnx", "encoder.int8.onnx", "generator.int8.onnx"):
        assert json.loads(metadata_of(model_dir / name)["digit_anchors"]) == anchors, name


def test_digit_regions_lie_where_the_training_codes_are_of_that_digit(mnist):
    """On the codes of 20,000 training images by the seed's fully trained unsupervised model (the bundled
    model before the digit head; its int8 copy is kept in tests/data/v1-model): each digit's points sit
    among codes of that digit (9, interleaved with 4 and 7, the least), where the class means of 3, 4, 5,
    8 and 9 do not."""
    from pathlib import Path

    from edgevae.export.digit_anchors import digit_anchors
    from edgevae.runtime import Encoder

    labels = mnist.y_train[:20000]
    version_1 = Path(__file__).parent.parent / "data" / "v1-model"
    z_mean, _ = Encoder(version_1, int8=True).encode(mnist.x_train[:20000])

    def same_digit_share(points, digit):  # among each point's 10 nearest codes
        nearest = ((points[:, None, :] - z_mean[None, :, :]) ** 2).sum(axis=-1).argsort(axis=1)[:, :10]
        return (labels[nearest] == digit).mean()

    regions, class_means = [], []
    for region in digit_anchors(z_mean, labels):
        digit = region["digit"]
        regions.append(same_digit_share(np.asarray(region["points"], np.float32), digit))
        class_means.append(same_digit_share(z_mean[labels == digit].mean(axis=0, keepdims=True), digit))
    assert np.mean(regions) >= 0.9 and min(regions) >= 0.7, regions
    assert sum(share < 0.5 for share in class_means) >= 3, class_means  # the naive anchors this replaces


@pytest.fixture(scope="module")
def exported_without_labels(run_dir):
    """The same run, as if from an edgevae that did not record which training images it used."""
    folder = run_dir.parent / "run-without-labels"
    folder.mkdir()
    for name in ("encoder.keras", "generator.keras"):
        (folder / name).write_bytes((run_dir / name).read_bytes())
    metrics = json.loads((run_dir / "metrics.json").read_text())
    del metrics["train_images"]
    (folder / "metrics.json").write_text(json.dumps(metrics))
    model_dir = run_dir.parent / "model-without-labels"
    result = run_cli("export", folder, "--out", model_dir)
    assert result.returncode == 0, result.stderr
    return model_dir, result.stdout


def test_an_export_without_labels_says_so_and_has_no_anchors(exported_without_labels):
    model_dir, stdout = exported_without_labels
    notes = [line for line in stdout.splitlines() if "Digit anchors" in line]
    assert notes == [
        "Digit anchors left out: no usable training labels (the run's metrics.json does not say"
        " which training images it used (train_images))."
    ]
    assert "digit_anchors" not in json.loads((model_dir / "manifest.json").read_text())
    assert "digit_anchors" not in metadata_of(model_dir / "generator.onnx")
    from edgevae.runtime import Generator

    generator = Generator(model_dir)
    assert generator.digit_anchors is None
    assert generator.sample(3, seed=0).shape == (3, 28, 28)  # the unconditional sampler still works
    with pytest.raises(EdgeVAEError, match="no digit anchors"):
        generator.sample(3, digit=7)


@pytest.mark.parametrize("arguments", [["--random", "4", "--digit", "7"], ["--digits"]])
def test_asking_a_model_without_anchors_for_a_digit_fails_cleanly(
    exported_without_labels, tmp_path, arguments
):
    model_dir, _ = exported_without_labels
    result = run_cli("generate", *arguments, "--model-dir", model_dir, "--out", tmp_path / "digits.png")
    assert_clean_failure(result, "no digit anchors", "re-export")
    assert list(tmp_path.iterdir()) == []
    info = run_cli("info", model_dir)
    assert info.returncode == 0 and "digits    - (no anchors)" in info.stdout
