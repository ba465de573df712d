"""The seed notebook's VAE, in the Keras Functional API.

Encoder 784-256-128 (elu) into a latent mean and log-variance; decoder latent-128-256-784 with a
sigmoid output. The decoder's last Dense is split into Dense(784) logits and a sigmoid Activation:
the same function and parameters as Dense(784, "sigmoid"), but the loss can read the logits and stay
exact where the sigmoid saturates.
"""

from dataclasses import dataclass

import keras
from keras import layers, ops

IMAGE_SIZE = 28 * 28


@dataclass(frozen=True)
class Architecture:
    latent_dim: int = 2
    encoder_sizes: tuple[int, ...] = (256, 128)
    decoder_sizes: tuple[int, ...] = (128, 256)
    # Standard deviation = exp(log_var_scale * z_log_var). 0.5 is correct; the notebook used 1.0.
    log_var_scale: float = 0.5


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


@dataclass
class VAE:
    """The trainable model and the two deployable models that share its layers."""

    config: Architecture
    encoder: keras.Model  # image -> {z_mean, z_log_var}
    decoder: keras.Model  # z -> logits; the generator is its sigmoid
    generator: keras.Model  # z -> image in [0, 1]
    training_model: keras.Model  # image -> {z_mean, z_log_var, logits}, sampling in between


def build_vae(config: Architecture = Architecture(), seed: int | None = None) -> VAE:
    image = keras.Input(shape=(IMAGE_SIZE,), name="image")
    hidden = image
    for index, size in enumerate(config.encoder_sizes, start=1):
        hidden = layers.Dense(size, activation="elu", name=f"encoder_dense_{index}")(hidden)
    z_mean = layers.Dense(config.latent_dim, name="z_mean")(hidden)
    z_log_var = layers.Dense(config.latent_dim, name="z_log_var")(hidden)
    encoder = keras.Model(image, {"z_mean": z_mean, "z_log_var": z_log_var}, name="encoder")

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
    training_model = keras.Model(
        image,
        {"z_mean": z_mean, "z_log_var": z_log_var, "logits": decode_logits(z)},
        name="vae",
    )
    return VAE(config, encoder, decoder, generator, training_model)
