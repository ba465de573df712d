"""Shared by every test folder. pytest puts tests/ on sys.path for this file, so `helpers` imports by name."""

import pytest


@pytest.fixture(scope="session")
def mnist():
    """Real MNIST through the project's loader."""
    from edgevae.train.data import load_mnist  # here, so the runtime-only (ARM) test run never imports it

    return load_mnist()


@pytest.fixture(scope="session")
def classifier(mnist):
    """The reference digit classifier (testkit/digit_classifier.py), fitted once per session."""
    from testkit.digit_classifier import train_classifier

    return train_classifier(mnist)
