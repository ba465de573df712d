"""A training run folder: train or resume, then write everything the exporter and users read.

RUN_DIR/checkpoint.npz   weights, optimizer state and progress, replaced after every epoch
RUN_DIR/history.csv      one row per epoch
RUN_DIR/encoder.keras    image -> z_mean, z_log_var (the best epoch's weights)
RUN_DIR/generator.keras  z -> image
RUN_DIR/metrics.json     test -ELBO and its terms, log-likelihood, how well the digit is kept, timings, ...
RUN_DIR/latent.png       the test set's latent means coloured by digit
RUN_DIR/pseudo_inputs.npy  the VampPrior's K learned images [K, 784] (a VampPrior run only): the exporter
                           encodes them into the prior's components
"""

import csv
import io
import json
import os
import platform
from dataclasses import asdict
from importlib.metadata import version
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from edgevae.runtime.errors import EdgeVAEError
from edgevae.runtime.files import make_folder, save_array, save_text

from .data import MNIST
from .fit import TrainConfig, Trainer, resume_trainer
from .plots import save_latent_scatter
from .quality import NEIGHBOURS, digit_kept, knn_accuracy
from .reference_classifier import train_reference_classifier

CHECKPOINT = "checkpoint.npz"
OUTPUT_FILES = ("encoder.keras", "generator.keras", "history.csv", "metrics.json", "latent.png")
PSEUDO_INPUTS = "pseudo_inputs.npy"
LOG_LIKELIHOOD_SAMPLES = 1000  # importance samples per test image


def train_run(
    config: TrainConfig,
    mnist: MNIST,
    run_dir,
    resume=False,
    force=False,
    verbose=True,
    resume_epochs: int | None = None,
) -> dict:
    run_dir = Path(run_dir)
    checkpoint_path = run_dir / CHECKPOINT
    if resume:
        trainer = resume_trainer(checkpoint_path, mnist, epochs=resume_epochs)
        if verbose:
            print(f"Resuming {run_dir} after epoch {trainer.state.epochs_done} of {trainer.config.epochs}")
    else:
        if checkpoint_path.exists() and not force:
            raise EdgeVAEError(
                f"{run_dir} already holds a run: continue it with --resume, or start over with --force"
            )
        make_folder(run_dir, parents=True)
        trainer = Trainer(config, mnist)

    def write_history(epoch):
        save_text(history_csv(trainer.state.history), run_dir / "history.csv")

    trainer.fit(checkpoint_path=checkpoint_path, verbose=verbose, on_epoch_end=write_history)
    trainer.use_best_weights()
    trainer.standardize_latent()
    save_keras_model(trainer.vae.encoder, run_dir / "encoder.keras")
    save_keras_model(trainer.vae.generator, run_dir / "generator.keras")
    if trainer.vae.pseudo_inputs is not None:
        pseudo_inputs = np.asarray(trainer.vae.pseudo_inputs(trainer.x_test[:1]))
        save_array(pseudo_inputs, run_dir / PSEUDO_INPUTS)
    encoded = trainer.vae.encoder.predict(trainer.x_test, batch_size=1000, verbose=0)
    save_latent_scatter(encoded["z_mean"], mnist.y_test, run_dir / "latent.png")
    if verbose:
        print(f"Measuring: {LOG_LIKELIHOOD_SAMPLES}-sample log-likelihood, 5-NN, reconstructions' digits")
    metrics = run_metrics(trainer, mnist)
    save_text(json.dumps(metrics, indent=2) + "\n", run_dir / "metrics.json")
    return metrics


def run_metrics(trainer: Trainer, mnist: MNIST) -> dict:
    evaluation = trainer.evaluate()  # the best weights are in place
    history = trainer.state.history
    # The first epoch includes XLA compilation; steady-state speed is what the figure is for.
    steady = [row["seconds"] for row in history[1:]] or [row["seconds"] for row in history]
    return {
        "test_negative_elbo_nats": round(evaluation.negative_elbo, 4),
        "test_reconstruction_nats": round(evaluation.reconstruction, 4),
        "test_kl_nats": round(evaluation.kl, 4),
        "test_bce_per_pixel": round(evaluation.bce_per_pixel, 6),
        "test_seed_objective": round(evaluation.seed_objective, 6),
        "test_log_likelihood_nats": round(trainer.log_likelihood(LOG_LIKELIHOOD_SAMPLES), 4),
        "log_likelihood_samples": LOG_LIKELIHOOD_SAMPLES,
        **digit_figures(trainer, mnist, evaluation),
        "prior": trainer.config.prior,
        "binarized": trainer.config.binarize,
        "objective": trainer.config.objective,
        "epochs": trainer.state.epochs_done,
        "best_epoch": trainer.state.best_epoch,
        "seconds_per_epoch": round(float(np.median(steady)), 3),
        "data_source": mnist.source,
        "train_images": len(
            mnist.x_train
        ),  # the first N of data_source's training set; the exporter's labels
        "config": asdict(trainer.config),
        "versions": {
            "python": platform.python_version(),
            "edgevae": version("edgevae"),
            # Module versions, not distribution names: TensorFlow installs as tensorflow or tensorflow-cpu.
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
            "numpy": np.__version__,
        },
    }


def digit_figures(trainer: Trainer, mnist: MNIST, evaluation) -> dict:
    """How well the latent keeps the digit: 5-NN accuracy of the test set's latent means among the
    training set's, the digit head's accuracy, and the share of test digits whose reconstruction (from
    z_mean) the reference classifier reads as the true digit."""
    encoder, generator = trainer.vae.encoder, trainer.vae.generator
    test_codes = encoder.predict(trainer.x_test, batch_size=1000, verbose=0)["z_mean"]
    train_codes = encoder.predict(trainer.x_train, batch_size=1000, verbose=0)["z_mean"]
    reconstructions = generator.predict(test_codes, batch_size=1000, verbose=0)
    classifier = train_reference_classifier(mnist)
    return {
        "latent_knn_accuracy": round(knn_accuracy(train_codes, mnist.y_train, test_codes, mnist.y_test), 4),
        "latent_knn_neighbours": NEIGHBOURS,
        **(
            {}
            if evaluation.digit_accuracy is None
            else {"digit_head_accuracy": round(evaluation.digit_accuracy, 4)}
        ),
        "reconstruction_digit_kept": round(digit_kept(classifier, reconstructions, mnist.y_test), 4),
        "reference_classifier_accuracy": round(
            float((classifier.classify(mnist.x_test) == mnist.y_test).mean()), 4
        ),
    }


def history_csv(history: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(history[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(history)
    return buffer.getvalue()


def save_keras_model(model, path: Path) -> None:
    # Keras insists on the .keras suffix, so the temporary name keeps it.
    temporary = path.with_name(f".{path.stem}.{os.urandom(4).hex()}.keras")
    try:
        model.save(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
