"""Binarized MNIST log-likelihood, comparable with Davidson et al. (2018), "Hyperspherical Variational
Auto-Encoders", Table 1: dynamically binarized MNIST, a 2-D latent, an MLP encoder of 256-128 like the
seed's, and an importance-weighted estimate of the test log-likelihood (they report -135.73 nats for the
Gaussian VAE and -132.50 for the S-VAE).

    edgevae train --binarize --out runs/binarized      # the default recipe on binarized MNIST
    python -m benchmarks.binarized runs/binarized [--samples 5000]

Loads the run's checkpoint (its best epoch's weights, with the VampPrior's pseudo-inputs) and estimates
log p(x) on the 10,000 test digits, binarized once with a fixed seed, with `--samples` importance samples
of q(z|x) per digit, and prints one JSON line. About 10 minutes for 5,000 samples on 2 cores.
"""

import argparse
import json
import time
from pathlib import Path

from edgevae.train.data import load_mnist
from edgevae.train.fit import resume_trainer
from edgevae.train.train_run import CHECKPOINT

PUBLISHED = {"Gaussian VAE (Davidson et al.)": -135.73, "S-VAE (Davidson et al.)": -132.50}


def binarized_log_likelihood(run_dir: Path, samples: int) -> dict:
    trainer = resume_trainer(run_dir / CHECKPOINT, load_mnist())
    if not trainer.config.binarize:
        raise SystemExit(f"{run_dir} was not trained with --binarize")
    trainer.use_best_weights()
    started = time.perf_counter()
    log_likelihood = trainer.log_likelihood(samples)
    return {
        "run": str(run_dir),
        "test_log_likelihood_nats": round(log_likelihood, 2),
        "samples": samples,
        "test_digits": int(trainer.x_test.shape[0]),
        "epochs": trainer.state.epochs_done,
        "best_epoch": trainer.state.best_epoch,
        "prior": trainer.config.prior,
        "digit_weight": trainer.config.digit_weight,
        "seconds": round(time.perf_counter() - started, 1),
        "published": PUBLISHED,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("--samples", type=int, default=5000)
    arguments = parser.parse_args()
    print(json.dumps(binarized_log_likelihood(arguments.run_dir, arguments.samples)))


if __name__ == "__main__":
    main()
