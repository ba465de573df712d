"""Foreign models: the right tensor names, the wrong types or shapes, or metadata that lies. Each case
through the API; one through the CLI."""

import numpy as np
import pytest
from edgevae.runtime import Encoder, Generator

from onnx_builder import encoder_model, generator_model

GOOD_METADATA = {"latent_dim": "2", "image_shape": "[28, 28]"}


def generator(case_id: str, *words: str, **spec):
    """A row: generator_model(**spec), loaded as a Generator, is refused naming `words`."""
    return pytest.param(Generator, generator_model(**spec), list(words), id=case_id)


def encoder(case_id: str, *words: str, **spec):
    """A row: encoder_model(**spec), loaded as an Encoder, is refused naming `words`."""
    return pytest.param(Encoder, encoder_model(**spec), list(words), id=case_id)


@pytest.mark.parametrize(
    "kind, data, words",
    [
        generator("z-double", "z must be float32", "double", z=("double", ["batch", 2])),
        generator("z-int32", "z must be float32", "int32", z=("int32", ["batch", 2])),
        generator("z-rank-3", "z must be float32 [batch, size]", z=("float", ["batch", 1, 2])),
        generator("z-static-batch", "dynamic batch", z=("float", [1, 2])),
        generator("image-float16", "image must be float32", "float16", image=("float16", ["batch", 784])),
        generator("image-double", "image must be float32", image=("double", ["batch", 784])),
        generator("image-rank-3", "image must be float32", image=("float", ["batch", 28, 28])),
        generator("image-static-batch", "dynamic batch", image=("float", [1, 784])),
        generator("image-100-pixels", "no image_shape metadata", "100-pixel",
                  image=("float", ["batch", 100])),
        generator("image-size-lies", "image_shape metadata [28, 28]", "10 pixels",
                  metadata=GOOD_METADATA, output_sizes={"image": 10}),
        generator("latent-dim-lies", "latent_dim metadata '3'", "2 values", metadata={"latent_dim": "3"}),
        generator("latent-dim-not-a-number", "latent_dim metadata 'two'", metadata={"latent_dim": "two"}),
        generator("image-shape-lies", "image_shape metadata [28, 29]", metadata={"image_shape": "[28, 29]"}),
        generator("image-shape-negative", "image_shape metadata", metadata={"image_shape": "[-28, -28]"}),
        generator("image-shape-zero", "image_shape metadata", metadata={"image_shape": "[0, 0]"}),
        generator("role-lies", "is an encoder model", metadata={"role": "encoder"}),
        generator("image-shape-one-number", "unreadable image_shape", metadata={"image_shape": "[784]"}),
        generator("image-shape-not-json", "unreadable image_shape", metadata={"image_shape": "28x28"}),
        generator("image-shape-an-object", "unreadable image_shape", metadata={"image_shape": '{"h": 28}'}),
        encoder("encoder-image-int64", "image must be float32", "int64", image=("int64", ["batch", 784])),
        encoder("encoder-image-uint8", "image must be float32", "uint8", image=("uint8", ["batch", 784])),
        encoder("encoder-image-783", "783-pixel", image=("float", ["batch", 783])),
        encoder("encoder-latents-differ", "differ in size", z_log_var=("float", ["batch", 3])),
        encoder("encoder-log-var-double", "z_log_var must be float32", z_log_var=("double", ["batch", 2])),
        encoder("encoder-mean-static", "z_mean must be float32", "dynamic batch", z_mean=("float", [4, 2])),
    ],
)  # fmt: skip
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
