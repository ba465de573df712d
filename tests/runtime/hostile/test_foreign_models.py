"""Foreign models: the right tensor names, the wrong types or shapes, or metadata that lies. Each case
through the API; one through the CLI."""

import numpy as np
import pytest
from edgevae.runtime import Encoder, Generator

from onnx_builder import encoder_model, generator_model

GOOD_METADATA = {"latent_dim": "2", "image_shape": "[28, 28]"}


@pytest.mark.parametrize(
    "kind, data, words",
    [
        pytest.param(
            Generator,
            generator_model(z=("double", ["batch", 2])),
            ["z must be float32", "double"],
            id="z-double",
        ),
        pytest.param(
            Generator,
            generator_model(z=("int32", ["batch", 2])),
            ["z must be float32", "int32"],
            id="z-int32",
        ),
        pytest.param(
            Generator,
            generator_model(z=("float", ["batch", 1, 2])),
            ["z must be float32 [batch, size]"],
            id="z-rank-3",
        ),
        pytest.param(Generator, generator_model(z=("float", [1, 2])), ["dynamic batch"], id="z-static-batch"),
        pytest.param(
            Generator,
            generator_model(image=("float16", ["batch", 784])),
            ["image must be float32", "float16"],
            id="image-float16",
        ),
        pytest.param(
            Generator,
            generator_model(image=("double", ["batch", 784])),
            ["image must be float32"],
            id="image-double",
        ),
        pytest.param(
            Generator,
            generator_model(image=("float", ["batch", 28, 28])),
            ["image must be float32"],
            id="image-rank-3",
        ),
        pytest.param(
            Generator, generator_model(image=("float", [1, 784])), ["dynamic batch"], id="image-static-batch"
        ),
        pytest.param(
            Generator,
            generator_model(image=("float", ["batch", 100])),
            ["no image_shape metadata", "100-pixel"],
            id="image-100-pixels",
        ),
        pytest.param(
            Generator,
            generator_model(metadata=GOOD_METADATA, output_sizes={"image": 10}),
            ["image_shape metadata [28, 28]", "10 pixels"],
            id="image-size-lies",
        ),
        pytest.param(
            Generator,
            generator_model(metadata={"latent_dim": "3"}),
            ["latent_dim metadata '3'", "2 values"],
            id="latent-dim-lies",
        ),
        pytest.param(
            Generator,
            generator_model(metadata={"latent_dim": "two"}),
            ["latent_dim metadata 'two'"],
            id="latent-dim-not-a-number",
        ),
        pytest.param(
            Generator,
            generator_model(metadata={"image_shape": "[28, 29]"}),
            ["image_shape metadata [28, 29]"],
            id="image-shape-lies",
        ),
        pytest.param(
            Generator,
            generator_model(metadata={"image_shape": "[-28, -28]"}),
            ["image_shape metadata"],
            id="image-shape-negative",
        ),
        pytest.param(
            Generator,
            generator_model(metadata={"image_shape": "[0, 0]"}),
            ["image_shape metadata"],
            id="image-shape-zero",
        ),
        pytest.param(
            Generator,
            generator_model(metadata={"image_shape": "[784]"}),
            ["unreadable image_shape"],
            id="image-shape-one-number",
        ),
        pytest.param(
            Generator,
            generator_model(metadata={"image_shape": "28x28"}),
            ["unreadable image_shape"],
            id="image-shape-not-json",
        ),
        pytest.param(
            Generator,
            generator_model(metadata={"image_shape": '{"h": 28}'}),
            ["unreadable image_shape"],
            id="image-shape-an-object",
        ),
        pytest.param(
            Generator, generator_model(metadata={"role": "encoder"}), ["is an encoder model"], id="role-lies"
        ),
        pytest.param(
            Encoder,
            encoder_model(image=("int64", ["batch", 784])),
            ["image must be float32", "int64"],
            id="encoder-image-int64",
        ),
        pytest.param(
            Encoder,
            encoder_model(image=("uint8", ["batch", 784])),
            ["image must be float32", "uint8"],
            id="encoder-image-uint8",
        ),
        pytest.param(
            Encoder, encoder_model(image=("float", ["batch", 783])), ["783-pixel"], id="encoder-image-783"
        ),
        pytest.param(
            Encoder,
            encoder_model(z_log_var=("float", ["batch", 3])),
            ["differ in size"],
            id="encoder-latents-differ",
        ),
        pytest.param(
            Encoder,
            encoder_model(z_log_var=("double", ["batch", 2])),
            ["z_log_var must be float32"],
            id="encoder-log-var-double",
        ),
        pytest.param(
            Encoder,
            encoder_model(z_mean=("float", [4, 2])),
            ["z_mean must be float32", "dynamic batch"],
            id="encoder-mean-static",
        ),
    ],
)
def test_foreign_models_are_refused_through_the_api(work, api_fails, kind, data, words):
    (work / "foreign.onnx").write_bytes(data)
    api_fails(lambda work: kind(work / "foreign.onnx"), *words)


@pytest.mark.subprocess
def test_a_foreign_model_is_refused_through_the_cli(work, fails):
    (work / "model" / "generator.onnx").write_bytes(generator_model(z=("double", ["batch", 2])))
    fails(
        ["generate", "--random", 2, "--out", "x.png", "--model-dir", "model"], "z must be float32", "double"
    )


def test_a_foreign_model_that_keeps_the_contract_runs(work):
    """The checks refuse what breaks the contract, not what merely comes from elsewhere."""
    (work / "generator.onnx").write_bytes(generator_model())
    (work / "encoder.onnx").write_bytes(encoder_model(metadata=GOOD_METADATA))
    assert Generator(work / "generator.onnx").generate([[1, 2]]).shape == (1, 28, 28)
    assert Encoder(work / "encoder.onnx").encode(np.zeros((3, 28, 28), np.float32))[0].shape == (3, 2)
