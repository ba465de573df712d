"""Keras encoder and generator -> ONNX graphs that follow the public contract.

encoder.onnx:   image [batch, 784] -> z_mean, z_log_var [batch, latent] (+ digit_probabilities [batch, 10])
generator.onnx: z [batch, latent]  -> image [batch, 784] in [0, 1]
"""

import keras
import onnx
import tensorflow as tf
import tf2onnx
from edgevae.runtime.errors import EdgeVAEError
from edgevae.train.model import DIGIT_CLASSES, IMAGE_SIZE

ENCODER_OUTPUTS = {"z_mean", "z_log_var"}
DIGIT_OUTPUT = "digit_probabilities"  # the digit head's, when the model has one

DEFAULT_OPSET = 17
SUPPORTED_OPSETS = range(13, 19)  # tf2onnx 1.17 with Keras 3 fails from opset 19 on


def load_keras_models(run_dir) -> tuple[keras.Model, keras.Model]:
    """(encoder, generator) from a run folder, checked against the architecture the contract needs."""
    models = []
    for name in ("encoder", "generator"):
        path = run_dir / f"{name}.keras"
        if not path.is_file():
            raise EdgeVAEError(f"{path} not found: is {run_dir} a folder written by edgevae train?")
        try:
            models.append(keras.models.load_model(path, compile=False))
        except Exception as error:  # zip, h5 and deserialisation errors share no base class
            raise EdgeVAEError(f"cannot load {path}: {first_line(error)}") from None
    encoder, generator = models
    check_architecture(encoder, generator)
    return encoder, generator


def check_architecture(encoder: keras.Model, generator: keras.Model) -> None:
    encoder_outputs = encoder.output if isinstance(encoder.output, dict) else {}
    if (
        tuple(encoder.input.shape) != (None, IMAGE_SIZE)
        or set(encoder_outputs) - {DIGIT_OUTPUT} != ENCODER_OUTPUTS
        or DIGIT_OUTPUT in encoder_outputs
        and tuple(encoder_outputs[DIGIT_OUTPUT].shape) != (None, DIGIT_CLASSES)
    ):
        raise EdgeVAEError(
            f"encoder.keras is not an edgevae encoder (image [batch, {IMAGE_SIZE}] -> z_mean, z_log_var"
            f" and optionally {DIGIT_OUTPUT} [batch, {DIGIT_CLASSES}])"
        )
    latent_dim = encoder_outputs["z_mean"].shape[-1]
    if tuple(generator.input.shape) != (None, latent_dim) or tuple(generator.output.shape) != (
        None,
        IMAGE_SIZE,
    ):
        raise EdgeVAEError(
            f"generator.keras is not an edgevae generator for this encoder (z [batch, {latent_dim}] -> "
            f"image [batch, {IMAGE_SIZE}]), found {tuple(generator.input.shape)} -> "
            f"{tuple(generator.output.shape)}"
        )


def latent_dim_of(encoder: keras.Model) -> int:
    return int(encoder.output["z_mean"].shape[-1])


def encoder_to_onnx(encoder: keras.Model, opset: int = DEFAULT_OPSET) -> onnx.ModelProto:
    signature = [tf.TensorSpec([None, IMAGE_SIZE], tf.float32, name="image")]

    @tf.function(input_signature=signature)
    def encode(image):
        outputs = encoder(image, training=False)
        return {name: outputs[name] for name in encoder.output}

    return to_onnx(encode, signature, opset)


def generator_to_onnx(generator: keras.Model, opset: int = DEFAULT_OPSET) -> onnx.ModelProto:
    signature = [tf.TensorSpec([None, generator.input.shape[-1]], tf.float32, name="z")]

    @tf.function(input_signature=signature)
    def generate(z):
        return {"image": generator(z, training=False)}

    return to_onnx(generate, signature, opset)


def to_onnx(function, signature, opset: int) -> onnx.ModelProto:
    if opset not in SUPPORTED_OPSETS:
        raise EdgeVAEError(
            f"opset {opset} is not supported: choose {SUPPORTED_OPSETS.start}-{SUPPORTED_OPSETS.stop - 1}"
        )
    model, _ = tf2onnx.convert.from_function(function, input_signature=signature, opset=opset)
    # tf2onnx names the dynamic batch dimension "unk__N"; the contract calls it "batch".
    for value in [*model.graph.input, *model.graph.output]:
        value.type.tensor_type.shape.dim[0].dim_param = "batch"
    onnx.checker.check_model(model, full_check=True)
    return model


def first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
