"""The reference digit classifier the quality tests and benchmarks judge by: edgevae.train's
reference_classifier (a small numpy MLP, about 98% on the test set, independent of the VAE), so that
"the generator drew a 7" means a separate model read a 7. The training run's metrics.json uses the same one.
"""

import numpy as np
from edgevae.train.reference_classifier import ReferenceClassifier, train_reference_classifier


def classify(classifier: ReferenceClassifier, images) -> np.ndarray:
    """Predicted digits for images [n, 784] or [n, 28, 28]: float in [0, 1], or uint8."""
    return classifier.classify(images)


def train_classifier(mnist) -> ReferenceClassifier:
    """Fitted on MNIST's training set, seeded; fails loudly if the reference itself is weak."""
    return train_reference_classifier(mnist)


def asked_digit_quality(
    classifier: ReferenceClassifier, generator, encoder, mnist, samples: int = 100
) -> list[tuple[float, float]]:
    """Per digit 0-9: (the share of `generator.sample(samples, seed=digit, digit=digit)` read as that digit,
    their variety: the mean per-pixel standard deviation across them over that of the model's
    reconstructions of the first `samples` real test digits of the class)."""
    figures = []
    for digit in range(10):
        drawn = generator.sample(samples, seed=digit, digit=digit)
        real = mnist.x_test[mnist.y_test == digit][:samples]
        reconstructions = generator.generate(encoder.encode(real)[0])
        read = float((classify(classifier, drawn) == digit).mean())
        figures.append((read, float(drawn.std(axis=0).mean() / reconstructions.std(axis=0).mean())))
    return figures
