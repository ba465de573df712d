"""The `edgevae` click group: runtime errors as one-line messages, and train/export loaded only on demand.

`edgevae.train.cli` and `edgevae.export.cli` import TensorFlow; the runtime install lacks it and
must neither import it nor pay its start-up cost, so those modules are named by string only.
"""

import importlib

import click

from .errors import EdgeVAEError

# edgevae is not on PyPI yet: extras install from a checkout (RELEASING.md updates this on release).
INSTALL_EXTRA = "pip install '.[{extra}]' in a checkout of edgevae"
TRAINING_EXTRA = INSTALL_EXTRA.format(extra="train")
# Lazy commands that need another extra than the training one: command name -> extra
COMMAND_EXTRAS = {"serve": "serve"}


class EdgeVAEGroup(click.Group):
    # command name -> (module defining `command`, help line shown without importing the module)
    lazy_commands = {
        "train": ("edgevae.train.cli", "Train the VAE on MNIST (needs the train extra)."),
        "export": ("edgevae.export.cli", "Export a trained model to ONNX (needs the train extra)."),
        "serve": (
            "edgevae.runtime.server.command",
            "Serve the HTTP API and the latent explorer (serve extra).",
        ),
    }

    def list_commands(self, ctx):
        return sorted([*super().list_commands(ctx), *self.lazy_commands])

    def get_command(self, ctx, name):
        if name not in self.lazy_commands:
            return super().get_command(ctx, name)
        module_name, summary = self.lazy_commands[name]
        try:
            return importlib.import_module(module_name).command
        except ImportError as error:
            return unavailable_command(name, module_name, summary, error)

    def format_commands(self, ctx, formatter):
        # Same layout as click's own, but lazy commands are described without being imported.
        rows = []
        for name in self.list_commands(ctx):
            if name in self.lazy_commands:
                rows.append((name, self.lazy_commands[name][1]))
            elif not (command := super().get_command(ctx, name)).hidden:
                rows.append((name, command.get_short_help_str(limit=1_000)))  # never cut mid-sentence
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except EdgeVAEError as error:
            raise click.ClickException(str(error)) from None


def unavailable_command(name: str, module_name: str, summary: str, error: ImportError) -> click.Command:
    """A stand-in that fails in one line, whatever arguments it is given; --help says what it needs."""
    package = module_name.rpartition(".")[0]
    extra = COMMAND_EXTRAS.get(name, "train")
    if error.name in (module_name, package):
        message = f"'edgevae {name}' is not part of this installation (no module {error.name})"
    else:
        message = f"'edgevae {name}' needs the {extra} extra: {INSTALL_EXTRA.format(extra=extra)}"

    def fail(args):
        raise click.ClickException(message)

    return click.Command(
        name,
        callback=fail,
        params=[click.Argument(["args"], nargs=-1, type=click.UNPROCESSED)],
        context_settings={"ignore_unknown_options": True},
        help=f"{summary}\n\nNot available here: {message}.",
    )
