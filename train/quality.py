"""How well a trained model keeps the digit: figures for metrics.json, from numpy arrays alone."""

import numpy as np

NEIGHBOURS = 5
CHUNK = 1000  # test codes per distance block: 1,000 x 60,000 float32 is 240 MB


def knn_accuracy(reference_codes, reference_labels, codes, labels, k: int = NEIGHBOURS) -> float:
    """The share of `codes` whose k nearest reference codes vote (nearest first on ties) for their label."""
    reference_codes = np.asarray(reference_codes, np.float32)
    reference_labels = np.asarray(reference_labels).astype(np.int64)
    squared_norms = (reference_codes**2).sum(axis=1)
    correct = 0
    for start in range(0, len(codes), CHUNK):
        block = np.asarray(codes[start : start + CHUNK], np.float32)
        distances = squared_norms[None, :] - 2 * block @ reference_codes.T
        nearest = np.argpartition(distances, k, axis=1)[:, :k]
        order = np.take_along_axis(distances, nearest, axis=1).argsort(axis=1)
        votes = reference_labels[np.take_along_axis(nearest, order, axis=1)]  # nearest first
        counts = np.stack([(votes == digit).sum(axis=1) for digit in range(10)], axis=1)
        # Ties go to the class of the nearest code among the tied ones: argmax over count, then rank.
        ranks = np.stack([np.where(votes == digit, np.arange(k), k).min(axis=1) for digit in range(10)], 1)
        predicted = np.lexsort((ranks.T, -counts.T), axis=0)[0]
        correct += int((predicted == np.asarray(labels[start : start + CHUNK])).sum())
    return correct / len(codes)


def digit_kept(classifier, reconstructions, labels) -> float:
    """The share of reconstructions the reference classifier reads as the original's digit."""
    return float((classifier.classify(reconstructions) == np.asarray(labels)).mean())
