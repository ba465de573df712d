"""The training loop: XLA-compiled chunks of steps, per-epoch checkpoints, the best epoch kept.

Keras' `fit` spends more time in its own machinery than in this small network's arithmetic, so an
epoch runs as a few compiled calls, each a `tf.while_loop` over `steps_per_call` batches gathered
from the training set on the device. Everything that decides the result (shuffling, sampling noise)
is derived from the seed and the epoch, so a resumed run continues exactly where it stopped.
"""

import math
import os
import sys
import time
from dataclasses import asdict, dataclass, field, replace

import keras
import numpy as np
import tensorflow as tf

from .checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from .data import MNIST, as_model_input
from .model import IMAGE_SIZE, VAE, Architecture, build_vae
from .objectives import (
    LOG_VAR_SCALE,
    OBJECTIVES,
    PRIORS,
    bce_from_logits,
    digit_cross_entropy,
    elbo_terms,
    log_normal,
    log_prior,
    seed_loss,
)

DIGIT_HEAD_SIZES = (64,)
TEST_BINARIZATION_SEED = 123  # the binarized test set is one fixed draw, the same for every run


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 150
    batch_size: int = 100
    learning_rate: float = 1e-3
    # Cosine decay to learning_rate * final_learning_rate_fraction over the run: the last epochs
    # settle into a minimum instead of bouncing around it (about 2 nats better than a constant rate).
    final_learning_rate_fraction: float = 0.01
    kl_weight: float = 1.0
    objective: str = "elbo"  # "elbo" (nats per image) or "seed" (the notebook's loss)
    latent_dim: int = 2
    seed: int = 0
    steps_per_call: int = 300  # compiled steps per call; the progress bar moves between calls
    prior: str = "vamp"  # "vamp" (learned: a mixture over pseudo-inputs) or "standard" (N(0, I))
    pseudo_inputs: int = 100  # the VampPrior's K
    # The digit head's cross-entropy weight, against the -ELBO in nats; 0 trains no head (unsupervised).
    digit_weight: float = 50.0
    binarize: bool = False  # dynamically binarized MNIST: a fresh Bernoulli draw of every image each epoch

    def architecture(self) -> Architecture:
        return Architecture(
            latent_dim=self.latent_dim,
            log_var_scale=LOG_VAR_SCALE[self.objective],
            pseudo_inputs=self.pseudo_inputs if self.prior == "vamp" else 0,
            digit_head_sizes=DIGIT_HEAD_SIZES if self.digit_weight > 0 else (),
        )


# What a checkpoint from before the learned prior and the digit head trained: the seed's model.
UNSUPERVISED = {"prior": "standard", "digit_weight": 0.0, "binarize": False}


@dataclass
class Evaluation:
    negative_elbo: float  # nats per image
    reconstruction: float  # nats per image
    kl: float  # nats per image
    seed_objective: float  # the notebook's val_loss, computed on the same sample
    digit_accuracy: float | None = None  # the digit head's, None without a head

    @property
    def bce_per_pixel(self) -> float:
        return self.reconstruction / IMAGE_SIZE


@dataclass
class TrainingState:
    """What a checkpoint holds besides the weights."""

    epochs_done: int = 0
    history: list[dict] = field(default_factory=list)
    best_epoch: int = 0
    best_score: float = math.inf
    train_seconds: float = 0.0


def prefer_classic_xla_runtime():
    """XLA's older CPU runtime runs this network's small matrix products about 15% faster than the default
    "thunk" runtime (1.7 against 2.1 s per epoch on 2 cores). XLA reads the flag when it first compiles."""
    flags = os.environ.get("XLA_FLAGS", "")
    if "xla_cpu_use_thunk_runtime" not in flags:
        os.environ["XLA_FLAGS"] = f"{flags} --xla_cpu_use_thunk_runtime=false".strip()


class Trainer:
    def __init__(self, config: TrainConfig, mnist: MNIST):
        prefer_classic_xla_runtime()
        if config.objective not in OBJECTIVES:
            raise ValueError(f"unknown objective {config.objective!r}; choose from {', '.join(OBJECTIVES)}")
        if config.prior not in PRIORS:
            raise ValueError(f"unknown prior {config.prior!r}; choose from {', '.join(PRIORS)}")
        if config.objective == "seed" and (config.prior != "standard" or config.digit_weight):
            raise ValueError("the seed objective trains the notebook's model: N(0, I) prior, no digit head")
        self.config = config
        self.mnist = mnist
        keras.utils.set_random_seed(config.seed)
        self.vae: VAE = build_vae(config.architecture(), seed=config.seed)
        self.steps_per_epoch = len(mnist.x_train) // config.batch_size
        schedule = keras.optimizers.schedules.CosineDecay(
            config.learning_rate,
            config.epochs * self.steps_per_epoch,
            alpha=config.final_learning_rate_fraction,
        )
        self.optimizer = keras.optimizers.Adam(learning_rate=schedule)
        self.optimizer.build(self.vae.training_model.trainable_variables)
        if self.vae.pseudo_inputs is not None:
            self.vae.pseudo_inputs.logits.assign(initial_pseudo_inputs(mnist, config))
        self.x_train = tf.constant(as_model_input(mnist.x_train))
        self.y_train = tf.constant(mnist.y_train.astype(np.int32))
        self.x_test = tf.constant(test_images(mnist, config.binarize))
        self.y_test = mnist.y_test.astype(np.int32)
        self.state = TrainingState()
        self.best_weights = self.model_weights()
        self.objective = OBJECTIVES[config.objective]
        self.train_chunk = tf.function(self.train_chunk_eagerly, jit_compile=True)
        self.evaluate_images = tf.function(self.evaluate_eagerly, jit_compile=True)
        self.log_likelihood_block = tf.function(self.log_likelihood_eagerly, jit_compile=True)

    # --- the compiled pieces ---

    def train_chunk_eagerly(self, batch_indices, binary_images):
        """Runs one optimisation step per row of batch_indices [steps, batch]; returns the mean loss.

        A binarized run trains on binary_images [steps, batch, 784] (0 or 1, uint8), drawn on the host;
        otherwise that argument is unused."""
        model = self.vae.training_model
        total = tf.constant(0.0)
        for step in tf.range(tf.shape(batch_indices)[0]):
            indices = batch_indices[step]
            if self.config.binarize:
                images = tf.cast(binary_images[step], tf.float32)
            else:
                images = tf.gather(self.x_train, indices)
            with tf.GradientTape() as tape:
                outputs = model(images, training=True)
                loss = tf.reduce_mean(self.objective(images, outputs, self.config.kl_weight))
                if "digit_logits" in outputs:
                    labels = tf.gather(self.y_train, indices)
                    cross_entropy = digit_cross_entropy(labels, outputs["digit_logits"])
                    loss += self.config.digit_weight * tf.reduce_mean(cross_entropy)
            gradients = tape.gradient(loss, model.trainable_variables)
            self.optimizer.apply(gradients, model.trainable_variables)
            total += loss
        return total / tf.cast(tf.shape(batch_indices)[0], tf.float32)

    def prior_components(self) -> dict | None:
        """The VampPrior's components {prior_mean, prior_log_var} [K, latent]; None for N(0, I)."""
        if self.vae.pseudo_inputs is None:
            return None
        encoded = self.vae.encoder(self.vae.pseudo_inputs(self.x_test[:1]), training=False)
        return {"prior_mean": encoded["z_mean"], "prior_log_var": encoded["z_log_var"]}

    def posterior(self, images):
        """(z_mean, log-variance of the sampler's posterior, encoder outputs) for images."""
        encoded = self.vae.encoder(images, training=False)
        # The posterior the sampler draws from has log-variance 2 * scale * z_log_var: z_log_var itself for
        # the proper sampler, twice it for the seed's. The ELBO must use that one; the seed loss its own.
        return encoded["z_mean"], 2.0 * self.vae.config.log_var_scale * encoded["z_log_var"], encoded

    def evaluate_eagerly(self, images, epsilon):
        """Sums of (-ELBO, reconstruction, KL, seed objective) over images, one latent sample each."""
        z_mean, log_variance, encoded = self.posterior(images)
        z = z_mean + tf.exp(0.5 * log_variance) * epsilon
        logits = self.vae.decoder(z, training=False)
        posterior = {"z_mean": z_mean, "z_log_var": log_variance, "z": z, "logits": logits}
        reconstruction, kl = elbo_terms(images, {**posterior, **(self.prior_components() or {})})
        seed_objective = seed_loss(
            images, {"z_mean": z_mean, "z_log_var": encoded["z_log_var"], "logits": logits}
        )
        sums = [reconstruction + kl, reconstruction, kl, seed_objective]
        return tuple(tf.reduce_sum(value) for value in sums), encoded.get("digit_probabilities")

    def log_likelihood_eagerly(self, images, epsilon):
        """Importance-weighted log p(x) per image [n] from samples epsilon [n, samples, latent] of q(z|x)."""
        z_mean, log_variance, _ = self.posterior(images)
        z = z_mean[:, None, :] + tf.exp(0.5 * log_variance)[:, None, :] * epsilon
        samples = tf.shape(epsilon)[1]
        logits = self.vae.decoder(tf.reshape(z, [-1, self.config.latent_dim]), training=False)
        logits = tf.reshape(logits, [tf.shape(images)[0], samples, IMAGE_SIZE])
        log_likelihood = -tf.reduce_sum(bce_from_logits(images[:, None, :], logits), axis=-1)
        components = self.prior_components() or {}
        weights = (
            log_likelihood
            + log_prior(z, components.get("prior_mean"), components.get("prior_log_var"))
            - log_normal(z, z_mean[:, None, :], log_variance[:, None, :])
        )
        return tf.reduce_logsumexp(weights, axis=1) - tf.math.log(tf.cast(samples, tf.float32))

    # --- epochs ---

    def train_epoch(self, epoch: int, progress: keras.utils.Progbar | None) -> float:
        order = np.random.default_rng([self.config.seed, epoch]).permutation(len(self.mnist.x_train))
        steps = self.steps_per_epoch
        batches = (
            order[: steps * self.config.batch_size].reshape(steps, self.config.batch_size).astype(np.int32)
        )
        losses = []
        for start in range(0, steps, self.config.steps_per_call):
            chunk = batches[start : start + self.config.steps_per_call]
            binary_images = self.binarized(chunk, [self.config.seed, epoch, start])
            losses.append(float(self.train_chunk(tf.constant(chunk), binary_images)) * len(chunk))
            if progress is not None:
                progress.update(start + len(chunk), values=[("loss", losses[-1] / len(chunk))])
        return sum(losses) / steps

    def binarized(self, chunk: np.ndarray, seed) -> tf.Tensor:
        """A binarized run's training images for a chunk of batches: each pixel 1 with probability
        value / 255 (a uniform integer 0-254 below the value), seeded by the epoch and chunk so that a
        resumed run draws the same; drawn here on the host, where it is far cheaper than inside XLA.
        Other runs get a placeholder."""
        if not self.config.binarize:
            return tf.zeros([1, 1, 1], tf.uint8)
        pixels = self.mnist.x_train.reshape(len(self.mnist.x_train), -1)[chunk]
        uniform = np.random.default_rng(seed).integers(0, 255, size=pixels.shape, dtype=np.uint8)
        return tf.constant((uniform < pixels).astype(np.uint8))

    def evaluate(self, images: np.ndarray | tf.Tensor | None = None) -> Evaluation:
        """The test set's -ELBO with one latent sample per image, from a fixed noise draw."""
        on_test_set = images is None
        images = self.x_test if on_test_set else tf.constant(images)
        epsilon = np.random.default_rng([self.config.seed, 10**6]).standard_normal(
            (int(images.shape[0]), self.config.latent_dim)
        )
        sums, probabilities = self.evaluate_images(images, tf.constant(epsilon, tf.float32))
        count = int(images.shape[0])
        evaluation = Evaluation(*(float(value) / count for value in sums))
        if probabilities is not None and on_test_set:
            evaluation.digit_accuracy = float((np.argmax(probabilities, axis=1) == self.y_test).mean())
        return evaluation

    def log_likelihood(self, samples: int, block: int = 20) -> float:
        """The test set's mean importance-weighted log-likelihood (nats per image) with `samples`
        samples of q(z|x) per image, from a fixed noise draw."""
        rng = np.random.default_rng([self.config.seed, 10**6 + 1])
        total = 0.0
        for start in range(0, int(self.x_test.shape[0]), block):
            images = self.x_test[start : start + block]
            epsilon = rng.standard_normal((int(images.shape[0]), samples, self.config.latent_dim))
            total += float(tf.reduce_sum(self.log_likelihood_block(images, tf.constant(epsilon, tf.float32))))
        return total / int(self.x_test.shape[0])

    def fit(self, checkpoint_path=None, verbose: bool = True, on_epoch_end=None) -> TrainingState:
        """Trains up to config.epochs, writing a checkpoint after every epoch."""
        for epoch in range(self.state.epochs_done + 1, self.config.epochs + 1):
            progress = None
            if verbose and sys.stdout.isatty():  # a log file gets the epoch's line alone, no bar
                print(f"Epoch {epoch}/{self.config.epochs}")
                progress = keras.utils.Progbar(self.steps_per_epoch, stateful_metrics=["loss"])
            started = time.perf_counter()
            train_loss = self.train_epoch(epoch, progress)
            seconds = time.perf_counter() - started
            evaluation = self.evaluate()
            self.record(epoch, train_loss, evaluation, seconds)
            if verbose:
                print(
                    f"Epoch {epoch}/{self.config.epochs}: loss {train_loss:.2f},"
                    f" val -ELBO {evaluation.negative_elbo:.2f} nats"
                    f" (reconstruction {evaluation.reconstruction:.2f}, KL {evaluation.kl:.2f}),"
                    f" seed val_loss {evaluation.seed_objective:.4f}, {seconds:.2f} s",
                    flush=True,
                )
            if checkpoint_path is not None:
                save_checkpoint(checkpoint_path, self.checkpoint())
            if on_epoch_end is not None:
                on_epoch_end(epoch)
        return self.state

    def record(self, epoch: int, train_loss: float, evaluation: Evaluation, seconds: float) -> None:
        self.state.epochs_done = epoch
        self.state.train_seconds += seconds
        self.state.history.append(
            {
                "epoch": epoch,
                "loss": train_loss,
                "val_negative_elbo": evaluation.negative_elbo,
                "val_reconstruction": evaluation.reconstruction,
                "val_kl": evaluation.kl,
                "val_seed_objective": evaluation.seed_objective,
                **(
                    {}
                    if evaluation.digit_accuracy is None
                    else {"val_digit_accuracy": evaluation.digit_accuracy}
                ),
                "learning_rate": float(self.optimizer.learning_rate),
                "seconds": seconds,
            }
        )
        # Selection follows the objective being trained; the seed validated on the test set too.
        score = evaluation.seed_objective if self.config.objective == "seed" else evaluation.negative_elbo
        if score < self.state.best_score:
            self.state.best_epoch, self.state.best_score = epoch, score
            self.best_weights = self.model_weights()

    # --- weights and checkpoints ---

    def model_weights(self) -> list[np.ndarray]:
        return [variable.numpy() for variable in self.vae.training_model.variables]

    def use_best_weights(self) -> None:
        for variable, value in zip(self.vae.training_model.variables, self.best_weights, strict=True):
            variable.assign(value)

    def standardize_latent(self) -> None:
        """Shift and scale a VampPrior model's latent so that its prior has mean 0 and variance 1 in each
        dimension, by folding z = shift + scale * z' into the layers that make and read z.

        The learned prior leaves the latent's scale free, and with the digit head the codes spread over
        hundreds of units; standardized, they span about +-4 like the seed's, so the exported models'
        float32 rounding, the manifold and the page's plane keep their usual scale. The model computes the
        same function: the ELBO and log-likelihood do not change (the Jacobian cancels), nor do the images.
        """
        components = self.prior_components()
        if components is None:
            return
        means = np.asarray(components["prior_mean"], np.float64)
        variances = np.exp(np.asarray(components["prior_log_var"], np.float64))
        shift = means.mean(axis=0)
        scale = np.sqrt((variances + means**2).mean(axis=0) - shift**2)
        z_mean = self.vae.encoder.get_layer("z_mean")
        z_mean.kernel.assign(z_mean.kernel.numpy() / scale)
        z_mean.bias.assign((z_mean.bias.numpy() - shift) / scale)
        z_log_var = self.vae.encoder.get_layer("z_log_var")
        z_log_var.bias.assign(z_log_var.bias.numpy() - 2 * np.log(scale))
        readers = [self.vae.decoder.get_layer("decoder_dense_1")]
        if self.vae.digit_head is not None:
            readers.append(self.vae.digit_head.get_layer("digit_dense_1"))
        for layer in readers:
            kernel = layer.kernel.numpy().astype(np.float64)
            layer.bias.assign(layer.bias.numpy() + shift @ kernel)
            layer.kernel.assign(scale[:, None] * kernel)

    def checkpoint(self) -> Checkpoint:
        return Checkpoint(
            config=asdict(self.config),
            state=asdict(self.state),
            model=self.model_weights(),
            optimizer=[variable.numpy() for variable in self.optimizer.variables],
            best_model=self.best_weights,
        )

    def restore(self, checkpoint: Checkpoint) -> None:
        for variable, value in zip(self.vae.training_model.variables, checkpoint.model, strict=True):
            variable.assign(value)
        for variable, value in zip(self.optimizer.variables, checkpoint.optimizer, strict=True):
            variable.assign(value)
        self.best_weights = checkpoint.best_model
        self.state = TrainingState(**checkpoint.state)


def resume_trainer(checkpoint_path, mnist: MNIST, epochs: int | None = None) -> Trainer:
    """A trainer in the state its checkpoint recorded; `epochs` may extend the run."""
    checkpoint = load_checkpoint(checkpoint_path)
    config = TrainConfig(**{**UNSUPERVISED, **checkpoint.config})
    if epochs is not None:
        config = replace(config, epochs=epochs)
    trainer = Trainer(config, mnist)
    trainer.restore(checkpoint)
    return trainer


def initial_pseudo_inputs(mnist: MNIST, config: TrainConfig) -> np.ndarray:
    """Logits of K training images, chosen by the seed: the prior starts where the data is."""
    chosen = np.random.default_rng([config.seed, 2]).choice(
        len(mnist.x_train), config.pseudo_inputs, replace=False
    )
    pixels = np.clip(as_model_input(mnist.x_train[chosen]), 0.02, 0.98)
    return np.log(pixels / (1 - pixels))


def test_images(mnist: MNIST, binarize: bool) -> np.ndarray:
    """The test set as model inputs; binarized once, with a fixed seed, for a binarized run."""
    images = as_model_input(mnist.x_test)
    if not binarize:
        return images
    uniform = np.random.default_rng(TEST_BINARIZATION_SEED).random(images.shape, dtype=np.float32)
    return (uniform < images).astype(np.float32)
