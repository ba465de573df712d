"""The reference digit classifier that quality figures are judged by: a small MLP on MNIST pixels.

Independent of the VAE (its own network, trained here on the training set's pixels and labels), so that
"the reconstruction kept its 7" means a separate model read a 7. Plain numpy, seeded, trained in seconds:
784-256-10 with ReLU, minibatch SGD with momentum, about 98% on the real test digits. The training run's
metrics.json, the tests and the benchmarks all use this one.
"""

from dataclasses import dataclass

import numpy as np

HIDDEN = 256
EPOCHS = 6
BATCH = 100
LEARNING_RATE = 0.05
MOMENTUM = 0.9
SEED = 0
MIN_ACCURACY = 0.97  # on the real test digits; a weaker reference could not judge 0.96 goals


@dataclass(frozen=True)
class ReferenceClassifier:
    hidden_weights: np.ndarray  # [784, HIDDEN]
    hidden_bias: np.ndarray
    output_weights: np.ndarray  # [HIDDEN, 10]
    output_bias: np.ndarray

    def probabilities(self, images) -> np.ndarray:
        """[n, 10] for images [n, 784] or [n, 28, 28]: float in [0, 1], or uint8 0-255."""
        images = np.asarray(images)
        pixels = images.reshape(len(images), -1).astype(np.float32)
        if images.dtype == np.uint8:
            pixels /= np.float32(255)
        logits = np.maximum(pixels @ self.hidden_weights + self.hidden_bias, 0) @ self.output_weights
        return softmax(logits + self.output_bias)

    def classify(self, images) -> np.ndarray:
        return self.probabilities(images).argmax(axis=1)


def softmax(logits: np.ndarray) -> np.ndarray:
    exponentials = np.exp(logits - logits.max(axis=1, keepdims=True))
    return exponentials / exponentials.sum(axis=1, keepdims=True)


def train_reference_classifier(mnist) -> ReferenceClassifier:
    """Fitted on MNIST's training set with a fixed seed; fails loudly if it is itself weak."""
    rng = np.random.default_rng(SEED)
    images = mnist.x_train.reshape(len(mnist.x_train), -1).astype(np.float32) / np.float32(255)
    targets = np.eye(10, dtype=np.float32)[mnist.y_train]
    parameters = [
        (rng.standard_normal((images.shape[1], HIDDEN)) * np.sqrt(2 / images.shape[1])).astype(np.float32),
        np.zeros(HIDDEN, np.float32),
        (rng.standard_normal((HIDDEN, 10)) * np.sqrt(1 / HIDDEN)).astype(np.float32),
        np.zeros(10, np.float32),
    ]
    velocities = [np.zeros_like(parameter) for parameter in parameters]
    for _ in range(EPOCHS):
        order = rng.permutation(len(images))
        for start in range(0, len(order) - BATCH + 1, BATCH):
            batch = order[start : start + BATCH]
            for parameter, velocity, gradient in zip(
                parameters, velocities, gradients(parameters, images[batch], targets[batch]), strict=True
            ):
                velocity *= MOMENTUM
                velocity -= LEARNING_RATE * gradient
                parameter += velocity
    classifier = ReferenceClassifier(*parameters)
    accuracy = float((classifier.classify(mnist.x_test) == mnist.y_test).mean())
    if len(mnist.x_train) >= 50_000 and accuracy < MIN_ACCURACY:
        raise AssertionError(f"the reference classifier itself is too weak: {accuracy:.3f}")
    return classifier


def gradients(parameters, images, targets) -> list[np.ndarray]:
    """The mean cross-entropy's gradients for one batch."""
    hidden_weights, hidden_bias, output_weights, output_bias = parameters
    hidden = np.maximum(images @ hidden_weights + hidden_bias, 0)
    error = (softmax(hidden @ output_weights + output_bias) - targets) / len(images)
    hidden_error = (error @ output_weights.T) * (hidden > 0)
    return [images.T @ hidden_error, hidden_error.sum(axis=0), hidden.T @ error, error.sum(axis=0)]
