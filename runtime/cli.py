"""The `edgevae` command line.

numpy, onnxruntime and Pillow are imported inside the commands that use them: at the top they would add
about 300-600 ms to `edgevae --version` and `--help` (measured with python -X importtime).
"""

import json
import signal
import sys
from pathlib import Path

import click

from .command_group import EdgeVAEGroup
from .encodings import format_encodings
from .errors import EdgeVAEError
from .files import (
    STDOUT,
    check_output_folder,
    check_output_path,
    make_folder,
    save_array,
    save_array_chunks,
    save_text,
)
from .limits import CHUNK, MAX_BENCH_BATCH, MAX_BENCH_SECONDS, MAX_IMAGES, MAX_THREADS


def model_options(command):
    """--model-dir, --threads and --int8, shared by the commands that run a model."""
    command = click.option("--int8", is_flag=True, help="Use the int8-quantised model files.")(command)
    command = click.option(
        "--threads",
        type=click.IntRange(1, MAX_THREADS),
        help=f"Threads per inference, up to {MAX_THREADS} (default: onnxruntime's choice).",
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


def output_path(ctx, param, value):
    """--out: `-` means standard output, as /dev/stdout does."""
    return STDOUT if value is not None and str(value) == "-" else value


def picture_output(out: Path) -> str:
    """What --out asks for: "npy", or the picture format its suffix names (PNG on standard output)."""
    if out.suffix.lower() == ".npy":
        return "npy"
    from .images import picture_format

    try:
        return picture_format(out)
    except EdgeVAEError as error:
        raise click.BadParameter(f"{error} or .npy", param_hint="--out") from None


def model_inputs(model_dir, roles, int8) -> list[Path]:
    """The model files a command reads, so that its output never replaces one."""
    from .model_files import model_file

    paths = []
    for role in roles:
        try:
            paths.append(model_file(model_dir, role, int8))
        except EdgeVAEError:
            pass  # loading the model says what is wrong
    return paths


def read_latents(path: Path):
    """Latents [n, latent] from a .npy file, mapped, not read:
    its header is checked before anything is allocated."""
    import numpy as np

    if not path.exists():
        raise EdgeVAEError(f"no such file: {path}")
    if not path.is_file():
        raise EdgeVAEError(f"cannot read latents from {path}: not a regular file")
    try:
        with open(path, "rb") as file:
            version = np.lib.format.read_magic(file)
            read_header = {
                (1, 0): np.lib.format.read_array_header_1_0,
                (2, 0): np.lib.format.read_array_header_2_0,
            }
            shape, _, dtype = read_header[version](file)
            offset = file.tell()
    except (OSError, ValueError, EOFError, KeyError) as error:
        raise EdgeVAEError(f"cannot read latents from {path}: not a .npy array ({error})") from None
    if dtype.kind not in "fiu" or len(shape) not in (1, 2):
        raise EdgeVAEError(f"{path} must hold a numeric .npy array [n, latent], not {dtype} {list(shape)}")
    count = int(np.prod(shape, dtype=object))
    if count == 0:
        raise EdgeVAEError(f"{path} holds no latents (shape {list(shape)})")
    if count * dtype.itemsize != path.stat().st_size - offset:
        raise EdgeVAEError(
            f"{path} is truncated or its header lies: shape {list(shape)} needs {count * dtype.itemsize:,}"
            f" bytes of data, the file holds {path.stat().st_size - offset:,}"
        )
    if len(shape) == 2 and shape[0] > MAX_IMAGES:
        raise EdgeVAEError(f"{path} holds {shape[0]:,} latents; one command takes at most {MAX_IMAGES:,}")
    latents = np.load(path, mmap_mode="r", allow_pickle=False)
    return latents.reshape(1, -1) if latents.ndim == 1 else latents


def with_progress(chunks, total: int):
    """Pass the chunks on; on a terminal, count the images done on stderr as they go."""
    if total <= CHUNK or not sys.stderr.isatty():
        yield from chunks
        return
    done = 0
    for chunk in chunks:
        yield chunk
        done += len(chunk)
        click.echo(f"\r{done:,}/{total:,} images", err=True, nl=False)
    click.echo(err=True)


def report(out: Path, message: str):
    """Say what was written, unless standard output holds the data itself."""
    if out != STDOUT:
        click.echo(message)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def load_digits(paths):
    import numpy as np

    from .images import load_digit

    return np.stack([load_digit(path) for path in paths])


PICTURE_OUT_HELP = (
    "The picture to write (.png, .jpg, .webp, .bmp, .tif, .gif; - is a PNG on stdout), or a .npy array."
)


@click.group(cls=EdgeVAEGroup)
@click.version_option(package_name="edgevae", prog_name="edgevae")
def cli():
    """Generate, encode and explore handwritten digits with an exported VAE (onnxruntime only)."""


@cli.command()
@click.option(
    "--z", "latents", multiple=True, callback=parse_latents, metavar="X,Y", help="A latent point; repeatable."
)
@click.option(
    "--random",
    "count",
    type=click.IntRange(1, MAX_IMAGES),
    help="Draw N latents from the standard normal, or from --digit's region.",
)
@click.option(
    "--seed", type=click.IntRange(min=0), help="Random seed for --random (a whole number, 0 or more)."
)
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
    "--out",
    type=click.Path(path_type=Path),
    callback=output_path,
    required=True,
    help="A picture (.png, .jpg, ...: one grid), a .npy array, - (a PNG on stdout), or a folder with --each.",
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
    if each and out == STDOUT:
        raise click.BadParameter("--each writes a folder of files, not standard output", param_hint="--out")
    kind = "folder" if each else picture_output(out)
    from .generator import Generator, as_latents, random_latents

    inputs = [*([latents_file] if latents_file else []), *model_inputs(model_dir, ["generator"], int8)]
    if kind == "folder":
        check_output_folder(out, inputs)
    else:
        check_output_path(out, inputs, binary=True)
    z = read_latents(latents_file) if latents_file else None
    generator = Generator(model_dir, threads=threads, int8=int8)
    latent_dim, image_shape = generator.config.latent_dim, generator.config.image_shape
    if digits:
        z = generator.digits_latents(count, seed=seed)
        columns = columns or count or len(z)  # one row per digit, or the ten anchors in one row
    elif digit is not None:
        z = generator.sample_latents(count, seed=seed, digit=digit)
    elif count is not None:
        z_chunks = random_latents(count, generator.prior, seed)
    elif z is None:
        z = as_latents(latents, latent_dim)
    elif z.shape[1] != latent_dim:
        raise EdgeVAEError(
            f"{latents_file} holds latents of {z.shape[1]} values; this model's have {latent_dim}"
        )
    if z is not None:
        count = len(z)
        z_chunks = (z[start : start + CHUNK] for start in range(0, count, CHUNK))
    images = with_progress((generator.generate(chunk) for chunk in z_chunks), count)
    if kind == "npy":
        save_array_chunks(images, (count, *image_shape), out)
    elif kind == "folder":
        from .images import save_png

        digits = max(4, len(str(count - 1)))
        make_folder(out)
        index = 0
        for chunk in images:
            for image in chunk:
                save_png(image, out / f"digit-{index:0{digits}d}.png")
                index += 1
    else:
        from .images import write_grid

        write_grid(images, count, image_shape, out, columns=columns)
    report(out, f"wrote {plural(count, 'image')} to {out}")


@cli.command()
@click.argument("images", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "csv", "npy"]),
    default="table",
    show_default=True,
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    callback=output_path,
    help="Write to this file instead of the terminal (npy needs it; - is standard output).",
)
@click.option(
    "--show-input",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also save the 28x28 digits the model saw as this PNG (a row, one per picture).",
)
@model_options
def encode(images, output_format, out, show_input, model_dir, threads, int8):
    """Encode digit pictures into latent means and log-variances, and name the digit the model reads
    (with its probability) when the model has a digit head.

    npy saves z_mean [n, latent], ready for `generate --from`, and prints the table (digits included).
    """
    if output_format == "npy" and out is None:
        raise click.UsageError("--format npy needs --out FILE.npy")
    from .encoder import Encoder

    inputs = [*images, *model_inputs(model_dir, ["encoder"], int8)]
    if out is not None:
        check_output_path(out, inputs, binary=output_format == "npy")
    if show_input is not None:
        check_output_path(show_input, inputs, binary=True)
    digits = load_digits(images)
    if show_input is not None:
        from .images import save_grid

        save_grid(digits, show_input, columns=len(digits), padding=0 if len(digits) == 1 else 2)
    encoder = Encoder(model_dir, threads=threads, int8=int8)
    z_mean, z_log_var, *probabilities = encoder.run(digits)
    named = encoder.classify_probabilities(probabilities[0]) if probabilities else None
    if output_format == "npy":
        save_array(z_mean, out)
        if out != STDOUT:  # the digits the model read, as a table on the terminal
            click.echo(format_encodings(images, z_mean, z_log_var, "table", named), nl=False)
        return

    text = format_encodings(images, z_mean, z_log_var, output_format, named)
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
@click.option(
    "--out", type=click.Path(path_type=Path), callback=output_path, required=True, help=PICTURE_OUT_HELP
)
@model_options
def manifold(n, span, out, model_dir, threads, int8):
    """Draw the n x n grid of digits over a 2-dimensional latent space."""
    kind = picture_output(out)
    from .generator import Generator
    from .latents import manifold_grid

    check_output_path(out, model_inputs(model_dir, ["generator"], int8), binary=True)
    generator = Generator(model_dir, threads=threads, int8=int8)
    if generator.config.latent_dim != 2:
        raise EdgeVAEError(
            f"the manifold needs a 2-dimensional latent space; this model's has {generator.config.latent_dim}"
        )
    images = generator.generate(manifold_grid(n, span, generator.prior))
    save_pictures(images.reshape(n, n, *generator.config.image_shape), out, kind, columns=n, padding=0)
    report(out, f"wrote {n}x{n} manifold to {out}")


def save_pictures(images, out: Path, kind: str, columns: int, padding: int = 2):
    """Images [rows, ..., height, width] as a grid picture, or as they are in a .npy array."""
    if kind == "npy":
        save_array(images, out)
    else:
        from .images import save_grid

        save_grid(images.reshape(-1, *images.shape[-2:]), out, columns=columns, padding=padding)


@cli.command()
@click.argument("images", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out", type=click.Path(path_type=Path), callback=output_path, required=True, help=PICTURE_OUT_HELP
)
@model_options
def reconstruct(images, out, model_dir, threads, int8):
    """Show pictures (top row) over their reconstructions (bottom row)."""
    import numpy as np

    from .encoder import Encoder
    from .generator import Generator

    kind = picture_output(out)
    check_output_path(out, [*images, *model_inputs(model_dir, ["encoder", "generator"], int8)], binary=True)
    originals = load_digits(images)
    z_mean, _ = Encoder(model_dir, threads=threads, int8=int8).encode(originals)
    reconstructions = Generator(model_dir, threads=threads, int8=int8).generate(z_mean)
    save_pictures(np.stack([originals, reconstructions]), out, kind, columns=len(originals))
    report(out, f"wrote {plural(len(originals), 'reconstruction')} to {out}")


@cli.command()
@click.argument("image_a", type=click.Path(path_type=Path))
@click.argument("image_b", type=click.Path(path_type=Path))
@click.option(
    "--steps", type=click.IntRange(2, 1000), default=10, show_default=True, help="Images in the strip."
)
@click.option(
    "--out", type=click.Path(path_type=Path), callback=output_path, required=True, help=PICTURE_OUT_HELP
)
@model_options
def interpolate(image_a, image_b, steps, out, model_dir, threads, int8):
    """Walk in a straight line from one picture's code to another's, as a strip of digits."""
    from .encoder import Encoder
    from .generator import Generator
    from .latents import interpolation

    kind = picture_output(out)
    inputs = [image_a, image_b, *model_inputs(model_dir, ["encoder", "generator"], int8)]
    check_output_path(out, inputs, binary=True)
    z_mean, _ = Encoder(model_dir, threads=threads, int8=int8).encode(load_digits([image_a, image_b]))
    images = Generator(model_dir, threads=threads, int8=int8).generate(
        interpolation(z_mean[0], z_mean[1], steps)
    )
    save_pictures(images, out, kind, columns=steps)
    report(out, f"wrote {steps} steps to {out}")


@cli.command()
@click.argument("model_dir_argument", metavar="[MODEL_DIR]", required=False, type=click.Path(path_type=Path))
@click.option(
    "--model-dir",
    type=click.Path(path_type=Path),
    help="An exported model folder (default: the bundled model).",
)
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def info(model_dir_argument, model_dir, output_format):
    """Describe a model: its manifest, metadata and file checks (exit status 1 when a file fails them)."""
    if model_dir_argument and model_dir:
        raise click.UsageError("give the model folder once, as MODEL_DIR or --model-dir")
    from .model_info import describe_model, failed_checks, format_info

    description = describe_model(model_dir_argument or model_dir)
    if output_format == "json":
        click.echo(json.dumps(description, indent=2))
    else:
        click.echo(format_info(description))
    failed = failed_checks(description)
    if failed:
        raise EdgeVAEError(f"{plural(len(failed), 'file')} failed the checks: {', '.join(failed)}")


@cli.command()
@click.option("--batches", default="1,32,1024", show_default=True, help="Comma-separated batch sizes.")
@click.option(
    "--seconds",
    type=click.FloatRange(0, MAX_BENCH_SECONDS),
    default=0.5,
    show_default=True,
    help="Time per measurement.",
)
@click.option(
    "--format", "output_format", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@model_options
def bench(batches, seconds, output_format, model_dir, threads, int8):
    """Measure latency and throughput of generate and encode on this machine."""
    try:
        sizes = [int(size) for size in batches.split(",")]
    except ValueError:
        raise click.BadParameter("must be comma-separated whole numbers", param_hint="--batches") from None
    if not sizes or min(sizes) < 1 or max(sizes) > MAX_BENCH_BATCH:
        raise click.BadParameter(f"batch sizes must be from 1 to {MAX_BENCH_BATCH:,}", param_hint="--batches")
    from .benchmark import format_table, measure_models
    from .encoder import Encoder
    from .generator import Generator

    generator = Generator(model_dir, threads=threads, int8=int8)
    encoder = Encoder(model_dir, threads=threads, int8=int8)
    rows = measure_models(generator, encoder, sizes, seconds)
    if output_format == "json":
        click.echo(json.dumps(rows, indent=2))
    else:
        click.echo(format_table(rows))


def main():
    # SIGTERM ends the command as Ctrl-C does, through every `finally`: no temporary file is left behind.
    signal.signal(signal.SIGTERM, terminate)
    cli(prog_name="edgevae")


def terminate(signal_number, frame):
    raise SystemExit(128 + signal_number)


if __name__ == "__main__":
    main()
