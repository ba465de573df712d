"""The seed notebook's VAE in the Keras Functional API, with an optional learned prior and digit head.

Encoder 784-256-128 (elu) into a latent mean and log-variance; decoder latent-128-256-784 with a
sigmoid output. The decoder's last Dense is split into Dense(784) logits and a sigmoid Activation:
the same function and parameters as Dense(784, "sigmoid"), but the loss can read the logits and stay
exact where the sigmoid saturates.

Two additions, both optional (the seed's model has neither):
- a VampPrior (Tomczak and Welling, 2018): the prior is the mixture, with equal weights, of the
  encoder's posteriors for K learned pseudo-inputs. With K = 0 the prior is N(0, I).
- a digit head on z_mean (latent-64-10): trained with the labels, it makes the latent keep the digit,
  and the exported encoder also outputs its `digit_probabilities`.
"""

from dataclasses import dataclass

import keras
from keras import layers, ops

IMAGE_SIZE = 28 * 28
DIGIT_CLASSES = 10


@dataclass(frozen=True)
class Architecture:
    latent_dim: int = 2
    encoder_sizes: tuple[int, ...] = (256, 128)
    decoder_sizes: tuple[int, ...] = (128, 256)
    # Standard deviation = exp(log_var_scale * z_log_var). 0.5 is correct; the notebook used 1.0.
    log_var_scale: float = 0.5
    pseudo_inputs: int = 0  # K of the VampPrior; 0: the N(0, I) prior
    digit_head_sizes: tuple[int, ...] = ()  # hidden sizes of the digit head; () for no head


@keras.saving.register_keras_serializable(package="edgevae")
class Sampling(layers.Layer):
    """z = z_mean + exp(log_var_scale * z_log_var) * eps, eps ~ N(0, I), for any batch size."""

    def __init__(self, log_var_scale=0.5, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.log_var_scale = log_var_scale
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        epsilon = keras.random.normal(ops.shape(z_mean), seed=self.seed_generator)
        return z_mean + ops.exp(self.log_var_scale * z_log_var) * epsilon

    def get_config(self):
        return {**super().get_config(), "log_var_scale": self.log_var_scale, "seed": self.seed}


@keras.saving.register_keras_serializable(package="edgevae")
class PseudoInputs(layers.Layer):
    """The VampPrior's K learned images [K, 784] in (0, 1), sigmoids of free logits; the input is ignored."""

    def __init__(self, count, size=IMAGE_SIZE, **kwargs):
        super().__init__(**kwargs)
        self.count, self.size = count, size

    def build(self, input_shape):
        self.logits = self.add_weight(shape=(self.count, self.size), initializer="zeros", name="logits")

    def call(self, inputs):
        return ops.sigmoid(self.logits)

    def compute_output_shape(self, input_shape):
        return (self.count, self.size)

    def get_config(self):
        return {**super().get_config(), "count": self.count, "size": self.size}


@dataclass
class VAE:
    """The trainable model and the deployable models that share its layers."""

    config: Architecture
    encoder: keras.Model  # image -> {z_mean, z_log_var} (+ digit_probabilities with a head)
    decoder: keras.Model  # z -> logits; the generator is its sigmoid
    generator: keras.Model  # z -> image in [0, 1]
    # image -> {z_mean, z_log_var, z, logits} (+ prior_mean, prior_log_var; + digit_logits), sampling inside
    training_model: keras.Model
    pseudo_inputs: PseudoInputs | None  # the VampPrior's, None for N(0, I)
    digit_head: keras.Model | None  # z -> digit logits


def build_vae(config: Architecture = Architecture(), seed: int | None = None) -> VAE:
    image = keras.Input(shape=(IMAGE_SIZE,), name="image")
    hidden = image
    for index, size in enumerate(config.encoder_sizes, start=1):
        hidden = layers.Dense(size, activation="elu", name=f"encoder_dense_{index}")(hidden)
    z_mean = layers.Dense(config.latent_dim, name="z_mean")(hidden)
    z_log_var = layers.Dense(config.latent_dim, name="z_log_var")(hidden)
    encoded = {"z_mean": z_mean, "z_log_var": z_log_var}

    digit_head = None
    if config.digit_head_sizes:
        latent = keras.Input(shape=(config.latent_dim,), name="z")
        hidden = latent
        for index, size in enumerate(config.digit_head_sizes, start=1):
            hidden = layers.Dense(size, activation="elu", name=f"digit_dense_{index}")(hidden)
        digit_head = keras.Model(
            latent, layers.Dense(DIGIT_CLASSES, name="digit_logits")(hidden), name="digit_head"
        )
        probabilities = layers.Softmax(name="digit_probabilities")(digit_head(z_mean))
        encoder = keras.Model(image, {**encoded, "digit_probabilities": probabilities}, name="encoder")
    else:
        encoder = keras.Model(image, encoded, name="encoder")

    decoder_layers = [
        layers.Dense(size, activation="elu", name=f"decoder_dense_{index}")
        for index, size in enumerate(config.decoder_sizes, start=1)
    ]
    decoder_logits = layers.Dense(IMAGE_SIZE, name="decoder_logits")

    def decode_logits(z):
        for layer in decoder_layers:
            z = layer(z)
        return decoder_logits(z)

    latent = keras.Input(shape=(config.latent_dim,), name="z")
    logits = decode_logits(latent)
    decoder = keras.Model(latent, logits, name="decoder")
    generator = keras.Model(latent, layers.Activation("sigmoid", name="image")(logits), name="generator")

    z = Sampling(config.log_var_scale, seed=seed, name="sampling")([z_mean, z_log_var])
    outputs = {**encoded, "z": z, "logits": decode_logits(z)}
    pseudo_inputs = None
    if config.pseudo_inputs:
        pseudo_inputs = PseudoInputs(config.pseudo_inputs, name="pseudo_inputs")
        components = encoder(pseudo_inputs(image))
        outputs.update(prior_mean=components["z_mean"], prior_log_var=components["z_log_var"])
    if digit_head is not None:
        outputs["digit_logits"] = digit_head(z_mean)
    training_model = keras.Model(image, outputs, name="vae")
    return VAE(config, encoder, decoder, generator, training_model, pseudo_inputs, digit_head)
