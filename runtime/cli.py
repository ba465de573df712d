"""The `edgevae` command line. Each command imports only what it needs, to start fast."""

from pathlib import Path

import click

from .command_group import EdgeVAEGroup
from .errors import EdgeVAEError


def model_options(command):
    """--model-dir, --threads and --int8, shared by the commands that run a model."""
    command = click.option("--int8", is_flag=True, help="Use the int8-quantised model files.")(command)
    command = click.option(
        "--threads", type=click.IntRange(min=1), help="Threads per inference (default: onnxruntime's choice)."
    )(command)
    return click.option(
        "--model-dir",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        help="An exported model folder to use instead of the bundled model.",
    )(command)


def parse_latents(ctx, param, values):
    """--z X,Y (repeatable) as a list of float lists."""
    latents = []
    for text in values:
        try:
            latents.append([float(value) for value in text.split(",")])
        except ValueError:
            raise click.BadParameter(f"{text!r} is not a comma-separated list of numbers") from None
    if len({len(latent) for latent in latents}) > 1:
        raise click.BadParameter("every --z needs the same number of values")
    return latents


def output_kind(out: Path, each: bool) -> str:
    if each:
        return "folder"
    suffix = out.suffix.lower()
    if suffix in (".png", ".npy"):
        return suffix[1:]
    raise click.BadParameter("must end in .png or .npy (or be a folder, with --each)", param_hint="--out")


def load_latents(path: Path):
    import numpy as np

    if not path.is_file():
        raise EdgeVAEError(f"no such file: {path}")
    try:
        latents = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as error:
        raise EdgeVAEError(f"cannot read latents from {path}: not a .npy array ({error})") from None
    if not isinstance(latents, np.ndarray) or latents.dtype.kind not in "fiu":
        raise EdgeVAEError(f"{path} must hold a numeric .npy array [n, latent]")
    return latents


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def load_digits(paths):
    import numpy as np

    from .images import load_digit

    return np.stack([load_digit(path) for path in paths])


@click.group(cls=EdgeVAEGroup)
@click.version_option(package_name="edgevae", prog_name="edgevae")
def cli():
    """Generate, encode and explore handwritten digits with an exported VAE (onnxruntime only)."""


@cli.command()
@click.option(
    "--z", "latents", multiple=True, callback=parse_latents, metavar="X,Y", help="A latent point; repeatable."
)
@click.option("--random", "count", type=click.IntRange(min=1), help="Draw N latents from the standard normal, or from --digit's region.")
@click.option("--seed", type=int, help="Random seed for --random.")
@click.option("--digit", type=click.IntRange(0, 9), help="With --random: draw that digit (0-9).")
@click.option(
    "--digits", is_flag=True, help="The digits 0-9 in a row; with --random N, N of each, a row per digit."
)
@click.option(
    "--from",
    "latents_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Latents [n, latent] from a .npy file.",
)
@click.option(
    "--out", type=click.Path(path_type=Path), required=True, help="A .png grid, a .npy array, or a folder with --each."
)
@click.option("--each", is_flag=True, help="Write one PNG per image into the folder --out.")
@click.option("--columns", type=click.IntRange(min=1), help="Columns of the grid (default: square).")
@model_options
def generate(latents, count, seed, digit, digits, latents_file, out, each, columns, model_dir, threads, int8):
    """Decode latent points into digit images."""
    if sum([bool(latents), count is not None or digits, latents_file is not None]) != 1:
        raise click.UsageError("give exactly one of --z, --random, --from or --digits")
    if seed is not None and count is None:
        raise click.UsageError("--seed only applies to --random")
    if digit is not None and (count is None or digits):
        raise click.UsageError("--digit only applies to --random (--digits draws every digit)")
    kind = output_kind(out, each)
    from .files import check_output_folder, check_output_path
    from .generator import Generator

    if kind == "folder":
        check_output_folder(out)
    else:
        check_output_path(out)
    generator = Generator(model_dir, threads=threads, int8=int8)
    if digits:
        images = generator.digits(count, seed=seed)
        columns = columns or count or len(images)  # one row per digit, or the ten anchors in one row
    elif count is not None:
        images = generator.sample(count, seed=seed, digit=digit)
    else:
        images = generator.generate(load_latents(latents_file) if latents_file else latents)
    if kind == "npy":
        from .files import save_array

        save_array(images, out)
    elif kind == "png":
        from .images import save_grid

        save_grid(images, out, columns=columns)
    else:
        from .files import make_folder
        from .images import save_png

        make_folder(out)
        digits = max(4, len(str(len(images) - 1)))
        for index, image in enumerate(images):
            save_png(image, out / f"digit-{index:0{digits}d}.png")
    click.echo(f"wrote {plural(len(images), 'image')} to {out}")


@cli.command()
@click.argument("images", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format", "output_format", type=click.Choice(["table", "json", "csv", "npy"]), default="table", show_default=True
)
@click.option(
    "--out", type=click.Path(path_type=Path), help="Write to this file instead of the terminal (npy needs it)."
)
@model_options
def encode(images, output_format, out, model_dir, threads, int8):
    """Encode digit pictures into latent means and log-variances.

    npy saves z_mean [n, latent], ready for `generate --from`.
    """
    if output_format == "npy" and out is None:
        raise click.UsageError("--format npy needs --out FILE.npy")
    from .encoder import Encoder
    from .files import check_output_path, save_array, save_text

    if out is not None:
        check_output_path(out)
    digits = load_digits(images)
    z_mean, z_log_var = Encoder(model_dir, threads=threads, int8=int8).encode(digits)
    if output_format == "npy":
        save_array(z_mean, out)
        return
    from .encodings import format_encodings

    text = format_encodings(images, z_mean, z_log_var, output_format)
    if out is None:
        click.echo(text, nl=False)
    else:
        save_text(text, out)


@cli.command()
@click.option("--n", type=click.IntRange(2, 100), default=20, show_default=True, help="Images per side.")
@click.option(
    "--span",
    type=click.FloatRange(0.5, 1, min_open=True, max_open=True),
    default=0.95,
    show_default=True,
    help="Normal quantiles covered: from 1-span to span.",
)
@click.option("--out", type=click.Path(path_type=Path), required=True, help="The .png to write.")
@model_options
def manifold(n, span, out, model_dir, threads, int8):
    """Draw the n x n grid of digits over a 2-dimensional latent space."""
    from .files import check_output_path
    from .generator import Generator
    from .images import save_grid
    from .latents import manifold_grid

    check_output_path(out)
    generator = Generator(model_dir, threads=threads, int8=int8)
    if generator.config.latent_dim != 2:
        raise EdgeVAEError(
            f"the manifold needs a 2-dimensional latent space; this model's has {generator.config.latent_dim}"
        )
    save_grid(generator.generate(manifold_grid(n, span)), out, columns=n, padding=0)
    click.echo(f"wrote {n}x{n} manifold to {out}")


@cli.command()
@click.argument("images", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), required=True, help="The .png to write.")
@model_options
def reconstruct(images, out, model_dir, threads, int8):
    """Show pictures (top row) over their reconstructions (bottom row)."""
    import numpy as np

    from .encoder import Encoder
    from .files import check_output_path
    from .generator import Generator
    from .images import save_grid

    check_output_path(out)
    originals = load_digits(images)
    z_mean, _ = Encoder(model_dir, threads=threads, int8=int8).encode(originals)
    reconstructions = Generator(model_dir, threads=threads, int8=int8).generate(z_mean)
    save_grid(np.concatenate([originals, reconstructions]), out, columns=len(originals))
    click.echo(f"wrote {plural(len(originals), 'reconstruction')} to {out}")


@cli.command()
@click.argument("image_a", type=click.Path(path_type=Path))
@click.argument("image_b", type=click.Path(path_type=Path))
@click.option("--steps", type=click.IntRange(2, 1000), default=10, show_default=True, help="Images in the strip.")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="The .png to write.")
@model_options
def interpolate(image_a, image_b, steps, out, model_dir, threads, int8):
    """Walk in a straight line from one picture's code to another's, as a strip of digits."""
    from .encoder import Encoder
    from .files import check_output_path
    from .generator import Generator
    from .images import save_grid
    from .latents import interpolation

    check_output_path(out)
    z_mean, _ = Encoder(model_dir, threads=threads, int8=int8).encode(load_digits([image_a, image_b]))
    images = Generator(model_dir, threads=threads, int8=int8).generate(interpolation(z_mean[0], z_mean[1], steps))
    save_grid(images, out, columns=steps)
    click.echo(f"wrote {steps} steps to {out}")


@cli.command()
@click.argument("model_dir_argument", metavar="[MODEL_DIR]", required=False, type=click.Path(path_type=Path))
@click.option(
    "--model-dir", type=click.Path(path_type=Path), help="An exported model folder (default: the bundled model)."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def info(model_dir_argument, model_dir, as_json):
    """Describe a model: its manifest, metadata and file checks."""
    if model_dir_argument and model_dir:
        raise click.UsageError("give the model folder once, as MODEL_DIR or --model-dir")
    from .model_info import describe_model, format_info

    description = describe_model(model_dir_argument or model_dir)
    if as_json:
        import json

        click.echo(json.dumps(description, indent=2))
    else:
        click.echo(format_info(description))


@cli.command()
@click.option("--batches", default="1,32,1024", show_default=True, help="Comma-separated batch sizes.")
@click.option("--seconds", type=click.FloatRange(min=0), default=0.5, show_default=True, help="Time per measurement.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@model_options
def bench(batches, seconds, as_json, model_dir, threads, int8):
    """Measure latency and throughput of generate and encode on this machine."""
    try:
        sizes = [int(size) for size in batches.split(",")]
    except ValueError:
        raise click.BadParameter("must be comma-separated whole numbers", param_hint="--batches") from None
    if not sizes or min(sizes) < 1:
        raise click.BadParameter("batch sizes must be at least 1", param_hint="--batches")
    from .benchmark import format_table, run_benchmark
    from .encoder import Encoder
    from .generator import Generator

    generator = Generator(model_dir, threads=threads, int8=int8)
    encoder = Encoder(model_dir, threads=threads, int8=int8)
    rows = run_benchmark(generator, encoder, sizes, seconds)
    if as_json:
        import json

        click.echo(json.dumps(rows, indent=2))
    else:
        click.echo(format_table(rows))


def main():
    cli(prog_name="edgevae")


if __name__ == "__main__":
    main()
