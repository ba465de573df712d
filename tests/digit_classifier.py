"""The reference digit classifier the quality tests and benchmarks judge by:
logistic regression on MNIST pixels.

Deliberately simple and independent of the VAE (about 90% on the test set), so that "the generator drew a 7"
means a separate model read a 7.
"""

import numpy as np


def softmax_classifier(images: np.ndarray, labels: np.ndarray, steps: int = 150) -> np.ndarray:
    """Multinomial logistic regression on pixels, full-batch gradient descent: weights [785, 10]."""
    features = np.hstack([images, np.ones((len(images), 1), np.float32)])
    targets = np.eye(10, dtype=np.float32)[labels]
    weights = np.zeros((features.shape[1], 10), np.float32)
    for _ in range(steps):
        logits = features @ weights
        probabilities = np.exp(logits - logits.max(axis=1, keepdims=True))
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        weights -= 0.5 * features.T @ (probabilities - targets) / len(features)
    return weights


def classify(weights: np.ndarray, images: np.ndarray) -> np.ndarray:
    """Predicted digits for images [n, 784] (or [n, 28, 28]) in [0, 1]."""
    images = np.asarray(images, np.float32).reshape(len(images), -1)
    return (np.hstack([images, np.ones((len(images), 1), np.float32)]) @ weights).argmax(axis=1)


def train_classifier(mnist) -> np.ndarray:
    """Weights fitted on MNIST's training set; fails loudly if the reference itself is weak."""
    weights = softmax_classifier(mnist.x_train.reshape(-1, 784) / np.float32(255), mnist.y_train)
    accuracy = (classify(weights, mnist.x_test.reshape(-1, 784) / np.float32(255)) == mnist.y_test).mean()
    assert accuracy > 0.85, f"the reference classifier itself is too weak: {accuracy:.3f}"
    return weights


def asked_digit_quality(
    weights: np.ndarray, generator, encoder, mnist, samples: int = 100
) -> list[tuple[float, float]]:
    """Per digit 0-9: (the share of `generator.sample(samples, seed=digit, digit=digit)` read as that digit,
    their variety: the mean per-pixel standard deviation across them over that of the model's
    reconstructions of the first `samples` real test digits of the class)."""
    figures = []
    for digit in range(10):
        drawn = generator.sample(samples, seed=digit, digit=digit)
        real = mnist.x_test[mnist.y_test == digit][:samples]
        reconstructions = generator.generate(encoder.encode(real)[0])
        read = float((classify(weights, drawn) == digit).mean())
        figures.append((read, float(drawn.std(axis=0).mean() / reconstructions.std(axis=0).mean())))
    return figures
