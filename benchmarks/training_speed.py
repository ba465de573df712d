"""Section 4: training seconds per epoch at batch 100, edgevae's Trainer against
the seed notebook's model.fit.

Both train on the full MNIST training set. The first epoch of each is left out of the medians: it
includes tracing, and XLA compilation for the Trainer.
"""

import time

import keras
import numpy as np
from edgevae.train.data import load_mnist
from edgevae.train.fit import TrainConfig, Trainer

from benchmarks import seed_notebook
from benchmarks.tables import table
from benchmarks.timing import median_and_spread


class EpochTimer(keras.callbacks.Callback):
    """Seconds per epoch of model.fit, training alone (until validation starts) and with validation."""

    def __init__(self):
        super().__init__()
        self.train, self.whole = [], []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_test_begin(self, logs=None):
        self.train.append(time.perf_counter() - self.start)

    def on_epoch_end(self, epoch, logs=None):
        self.whole.append(time.perf_counter() - self.start)


def edgevae_epochs(epochs: int) -> dict:
    trainer = Trainer(TrainConfig(epochs=epochs), load_mnist())
    ends = [time.perf_counter()]
    trainer.fit(verbose=False, on_epoch_end=lambda epoch: ends.append(time.perf_counter()))
    history = trainer.state.history
    return {
        "train": [row["seconds"] for row in history][1:],  # train_epoch alone, as Trainer records it
        "whole": list(np.diff(ends))[1:],  # with the test-set evaluation
        "val": history[-1]["val_seed_objective"],
    }


def seed_epochs(epochs: int) -> dict:
    timer = EpochTimer()
    history = seed_notebook.train(epochs, callbacks=[timer], verbose=0)
    return {"train": timer.train[1:], "whole": timer.whole[1:], "val": history.history["val_loss"][-1]}


def report(quick: bool) -> str:
    epochs = 3 if quick else 8
    results = {
        "edgevae Trainer (XLA-compiled chunks)": edgevae_epochs(epochs),
        "seed notebook port (`model.fit`)": seed_epochs(epochs),
    }
    rows = [
        [name, median_and_spread(result["train"]), median_and_spread(result["whole"]), f"{result['val']:.4f}"]
        for name, result in results.items()
    ]
    edgevae, seed = results.values()
    ratios = [
        ["training alone", f"{np.median(seed['train']) / np.median(edgevae['train']):.2f}x"],
        ["with validation", f"{np.median(seed['whole']) / np.median(edgevae['whole']):.2f}x"],
    ]
    return "\n\n".join(
        [
            "## 4. Training speed (batch 100, 60,000 images)",
            f"{epochs} epochs each, the first left out: median (10th–90th percentile) of the other"
            f" {epochs - 1} epochs' seconds. \"With validation\" adds each epoch's pass over the 10,000 test"
            " images. The last column is the notebook's objective on the test set after the last epoch (one"
            " latent sample per image; edgevae trains the ELBO, so this is not what it optimises).",
            table(
                [
                    "trainer",
                    "s/epoch, training alone",
                    "s/epoch, with validation",
                    f"notebook objective after {epochs} epochs",
                ],
                rows,
            ),
            table(["seed port / edgevae, median s/epoch", "ratio"], ratios),
        ]
    )
