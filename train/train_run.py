"""A training run folder: train or resume, then write everything the exporter and users read.

RUN_DIR/checkpoint.npz   weights, optimizer state and progress, replaced after every epoch
RUN_DIR/history.csv      one row per epoch
RUN_DIR/encoder.keras    image -> z_mean, z_log_var (the best epoch's weights)
RUN_DIR/generator.keras  z -> image
RUN_DIR/metrics.json     test -ELBO and its terms, the seed objective, timings, data source, versions
RUN_DIR/latent.png       the test set's latent means coloured by digit
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
from edgevae.runtime.files import make_folder, save_text

from .data import MNIST, as_model_input
from .fit import TrainConfig, Trainer, resume_trainer
from .plots import save_latent_scatter

CHECKPOINT = "checkpoint.npz"
OUTPUT_FILES = ("encoder.keras", "generator.keras", "history.csv", "metrics.json", "latent.png")


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
    save_keras_model(trainer.vae.encoder, run_dir / "encoder.keras")
    save_keras_model(trainer.vae.generator, run_dir / "generator.keras")
    encoded = trainer.vae.encoder.predict(as_model_input(mnist.x_test), batch_size=1000, verbose=0)
    save_latent_scatter(encoded["z_mean"], mnist.y_test, run_dir / "latent.png")
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
