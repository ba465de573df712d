"""The `edgevae` command line.

numpy, onnxruntime and Pillow are imported inside the commands that use them: at the top they would add
about 300-600 ms to `edgevae --version` and `--help` (measured with python -X importtime).
"""

import functools
import math
import signal
import sys
from pathlib import Path

import click

from .command_group import EdgeVAEGroup
from .errors import EdgeVAEError, reason, reraised
from .files import STDOUT, replaced_together, save_text
from .limits import CHUNK, MAX_BENCH_BATCH, MAX_BENCH_SECONDS, MAX_IMAGES, MAX_THREADS, check_count
from .outputs import ARRAY, FOLDER, TEXT, Output, check_outputs, output_path, picture_format, picture_or_array

# --model-dir and --int8 mean the same in every command that loads a model, `edgevae serve` included.
model_dir_option = click.option(
    "--model-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="An exported model folder to use instead of the bundled model.",
)
int8_option = click.option("--int8", is_flag=True, help="Use the int8-quantised model files.")


def model_options(command):
    """--model-dir, --threads and --int8, shared by the commands that run a model."""
    command = int8_option(command)
    command = click.option(
        "--threads",
        type=click.IntRange(1, MAX_THREADS),
        help=f"Threads per inference, up to {MAX_THREADS} (default: onnxruntime's choice).",
    )(command)
    return model_dir_option(command)


def scale_option(command):
    """--scale N: pictures N times larger, nearest-neighbour (within the picture size limit)."""
    return click.option(
        "--scale",
        type=click.IntRange(min=1),
        default=1,
        help="Enlarge pictures N times (nearest-neighbour): 28 px digits are small on screen.",
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


def output_option(name: str, decide, **attributes):
    """--out (or another output option) as an Output, its kind decided here, once, by `decide(ctx, value)`."""

    def callback(ctx, param, value):
        if value is None:
            return None
        try:
            return decide(ctx, value)
        except EdgeVAEError as error:
            raise click.BadParameter(str(error)) from None

    return click.option(name, type=click.Path(path_type=Path), callback=callback, **attributes)


def picture_or_array_output(ctx, value) -> Output:
    """A picture, or a .npy array; a folder of pictures with generate's --each (an eager flag)."""
    if ctx.params.get("each"):
        path = output_path(value)
        if path == output_path("-"):
            raise EdgeVAEError("--each writes a folder of files, not standard output")
        return Output(path, FOLDER)
    return picture_or_array(value)


def encodings_output(ctx, value) -> Output:
    """encode's --out: the npy array, or the table, JSON or CSV text (--format is eager)."""
    return Output(output_path(value), ARRAY if ctx.params.get("output_format") == "npy" else TEXT)


def picture_output(ctx, value) -> Output:
    path = output_path(value)
    return Output(path, picture_format(path))


def writes_outputs(command):
    """Run the command with its outputs replaced together, and only when it succeeds."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        with replaced_together():
            return command(*args, **kwargs)

    return run


def prepare(outputs, inputs=(), model_dir=None, roles=(), int8=False, scale=1):
    """Check the outputs against the inputs (the model files among them) and each other, before any work."""
    from .model_files import model_file

    for output in outputs:
        if output is not None and output.kind == ARRAY and scale != 1:
            raise click.BadParameter(
                "is for pictures; a .npy array holds the images as they are", param_hint="--scale"
            )
    model_files = []
    for role in roles:
        try:
            model_files.append(model_file(model_dir, role, int8))
        except EdgeVAEError:
            pass  # loading the model says what is wrong
    check_outputs(outputs, [*inputs, *model_files])


def read_latents(path: Path):
    """Latents [n, latent] from a .npy file, mapped, not read: np.load refuses pickles, and headers that
    lie or bombs, before anything is allocated."""
    import numpy as np

    from .checks import real_array

    if not path.is_file():
        raise EdgeVAEError(f"no such file: {path}" if not path.exists() else f"{path} is not a regular file")
    unreadable = f"cannot read latents from {path}: not a .npy array, or truncated or its header lies"
    # A header claiming more bytes than the address space holds: ValueError on 64-bit numpy, OverflowError
    # (size does not fit a C long) on 32-bit numpy, as on armhf.
    with (
        reraised(lambda error: f"{unreadable} ({reason(error)})", ValueError, EOFError, OverflowError),
        np.errstate(all="ignore"),
    ):
        latents = np.load(path, mmap_mode="r", allow_pickle=False)
    if not isinstance(latents, np.memmap) or latents.dtype.kind not in "fiuc" or latents.ndim not in (1, 2):
        what = f"{latents.dtype} {list(latents.shape)}" if isinstance(latents, np.ndarray) else "an archive"
        raise EdgeVAEError(f"{path} must hold a numeric .npy array [n, latent], not {what}")
    if latents.offset + latents.nbytes != path.stat().st_size:
        raise EdgeVAEError(
            f"{path} is truncated or its header lies: shape {list(latents.shape)} is not its size"
        )
    if latents.size == 0:
        raise EdgeVAEError(f"{path} holds no latents (shape {list(latents.shape)})")
    if latents.dtype.kind == "c":
        real_array(latents[:1], f"the latents in {path}")  # refused: never cut to their real part
    check_count(len(latents) if latents.ndim == 2 else 1, f"latents in {path}")
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


def save_images(out: Output, chunks, shape, columns=None, padding=2, scale=1):
    """Images arriving in chunks that fill an array `shape` [..., height, width] in order, into `out`:
    that array as .npy, a grid picture of its images, or a folder of them."""
    if out.kind == ARRAY:
        from .files import save_array_chunks

        save_array_chunks(chunks, shape, out.path)
        return
    count, image_shape = math.prod(shape[:-2]), shape[-2:]
    images = (chunk.reshape(-1, *image_shape) for chunk in chunks)
    if out.kind == FOLDER:
        save_each(images, count, out.path, scale)
    else:
        from .images import write_grid

        write_grid(images, count, image_shape, out.path, columns, padding, scale, kind=out.kind)


def save_each(chunks, count: int, folder: Path, scale: int):
    from .files import make_folder
    from .images import save_png

    width = max(4, len(str(count - 1)))
    make_folder(folder)
    index = 0
    for chunk in chunks:
        for image in chunk:
            save_png(image, folder / f"digit-{index:0{width}d}.png", scale=scale)
            index += 1


def report(out: Output, message: str):
    """Say what was written, unless standard output holds the data itself."""
    if not out.is_stdout:
        click.echo(f"wrote {message} to {out.path}")


def echo_json(value):
    import json

    click.echo(json.dumps(value, indent=2))


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def load_digits(paths):
    import numpy as np

    from .images import load_digit

    return np.stack([load_digit(path) for path in paths])


def chunked(z):
    return (z[start : start + CHUNK] for start in range(0, len(z), CHUNK))


PICTURE_OUT_HELP = (
    "The picture to write (.png, .jpg, .webp, .bmp, .tif, .gif; - is a PNG on stdout), or a .npy array."
)
picture_out_option = output_option("--out", picture_or_array_output, required=True, help=PICTURE_OUT_HELP)


@click.group(cls=EdgeVAEGroup, context_settings={"show_default": True})  # every command, lazy ones too
@click.version_option(package_name="edgevae", prog_name="edgevae")
def cli():
    """Generate, encode and explore handwritten digits with an exported VAE (onnxruntime only)."""


def check_generate_request(latents, count, seed, digit, digits, latents_file) -> int | None:
    """The number of images asked for by --random, --digit or --digits (None: from the latents given)."""
    if digit is not None and count is None and not (latents or digits or latents_file):
        return 1  # --digit alone: one sample of it
    if sum([bool(latents), count is not None or digits, latents_file is not None]) != 1:
        raise click.UsageError("give exactly one of --z, --random, --digit, --from or --digits")
    if seed is not None and count is None:
        raise click.UsageError("--seed only applies to --random")
    if digit is not None and (count is None or digits):
        raise click.UsageError("--digit goes alone or with --random (--digits draws every digit)")
    if count is not None:
        check_count(count, "images", per=10 if digits else 1)
    return count


def requested_latents(generator, latents, count, seed, digit, digits, latents_file):
    """(chunks of latents, how many, the grid's columns when the request implies them)."""
    from .generator import as_latents, random_latents

    latent_dim = generator.config.latent_dim
    if digits:
        z = generator.digits_latents(count, seed=seed)
        return chunked(z), len(z), count or len(z)  # one row per digit, or the ten anchors in one row
    if digit is not None:
        z = generator.sample_latents(count, seed=seed, digit=digit)
    elif count is not None:
        return random_latents(count, generator.prior, seed), count, None
    elif latents_file is None:
        z = as_latents(latents, latent_dim)
    else:
        z = read_latents(latents_file)
        if z.shape[1] != latent_dim:
            raise EdgeVAEError(
                f"{latents_file} holds latents of {z.shape[1]} values; this model's have {latent_dim}"
            )
    return chunked(z), len(z), None


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
@click.option("--digit", type=click.IntRange(0, 9), help="Draw that digit (0-9): one, or --random N of them.")
@click.option(
    "--digits", is_flag=True, help="The digits 0-9 in a row; with --random N, N of each, a row per digit."
)
@click.option(
    "--from",
    "latents_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Latents [n, latent] from a .npy file.",
)
@output_option(
    "--out",
    picture_or_array_output,
    required=True,
    help="A picture (.png, .jpg, ...: one grid), a .npy array, - (a PNG on stdout), or a folder with --each.",
)
@click.option("--each", is_flag=True, is_eager=True, help="Write one PNG per image into the folder --out.")
@click.option("--columns", type=click.IntRange(min=1), help="Columns of the grid (default: square).")
@scale_option
@model_options
@writes_outputs
def generate(
    latents, count, seed, digit, digits, latents_file, out, each, columns, scale, model_dir, threads, int8
):
    """Decode latent points into digit images."""
    from .generator import Generator

    requested = check_generate_request(latents, count, seed, digit, digits, latents_file)
    prepare([out], [latents_file] if latents_file else [], model_dir, ["generator"], int8, scale)
    generator = Generator(model_dir, threads=threads, int8=int8)
    z_chunks, total, implied_columns = requested_latents(
        generator, latents, requested, seed, digit, digits, latents_file
    )
    images = with_progress((generator.generate(chunk) for chunk in z_chunks), total)
    shape = (total, *generator.config.image_shape)
    save_images(out, images, shape, columns or implied_columns, scale=scale)
    report(out, plural(total, "image"))


@cli.command()
@click.argument("images", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "csv", "npy"]),
    default="table",
    is_eager=True,
)
@output_option(
    "--out",
    encodings_output,
    help="Write to this file instead of the terminal (npy needs it; - is standard output).",
)
@output_option(
    "--show-input",
    picture_output,
    help="Also save the 28x28 digits the model saw as this PNG (a row, one per picture).",
)
@scale_option
@model_options
@writes_outputs
def encode(images, output_format, out, show_input, scale, model_dir, threads, int8):
    """Encode pictures: the digit read, latent means and log-variances.

    The digit the model reads, with its probability, comes from models with a digit head.

    npy saves z_mean [n, latent], ready for `generate --from`, and prints the table (digits included).
    """
    if output_format == "npy" and out is None:
        raise click.UsageError("--format npy needs --out FILE.npy")
    from .encoder import Encoder

    prepare([out, show_input], images, model_dir, ["encoder"], int8)
    digits = load_digits(images)
    encoder = Encoder(model_dir, threads=threads, int8=int8)
    z_mean, z_log_var, named = encoder.encode_and_classify(digits)
    if show_input is not None:
        padding = 0 if len(digits) == 1 else 2
        save_images(show_input, [digits], digits.shape, len(digits), padding, scale)
    from .encodings import format_encodings

    if output_format == "npy":
        from .files import save_array

        save_array(z_mean, out.path)
        if out.path != STDOUT:  # the digits the model read, as a table on the terminal
            click.echo(format_encodings(images, z_mean, z_log_var, "table", named), nl=False)
        return

    text = format_encodings(images, z_mean, z_log_var, output_format, named)
    if out is None:
        click.echo(text, nl=False)
    else:
        save_text(text, out.path)


@cli.command()
@click.option("--n", type=click.IntRange(2, 100), default=20, help="Images per side.")
@click.option(
    "--span",
    type=click.FloatRange(0.5, 1, min_open=True, max_open=True),
    default=0.95,
    help="Normal quantiles covered: from 1-span to span.",
)
@picture_out_option
@scale_option
@model_options
@writes_outputs
def manifold(n, span, out, scale, model_dir, threads, int8):
    """Draw the n x n grid of digits over a 2-D latent space."""
    from .generator import Generator
    from .latents import manifold_grid

    prepare([out], [], model_dir, ["generator"], int8, scale)
    generator = Generator(model_dir, threads=threads, int8=int8)
    if generator.config.latent_dim != 2:
        raise EdgeVAEError(
            f"the manifold needs a 2-dimensional latent space; this model's has {generator.config.latent_dim}"
        )
    images = generator.generate(manifold_grid(n, span, generator.prior))
    save_images(out, [images], (n, n, *generator.config.image_shape), columns=n, padding=0, scale=scale)
    report(out, f"{n}x{n} manifold")


@cli.command()
@click.argument("images", nargs=-1, required=True, type=click.Path(path_type=Path))
@picture_out_option
@scale_option
@model_options
@writes_outputs
def reconstruct(images, out, scale, model_dir, threads, int8):
    """Show pictures (top row) over their reconstructions."""
    import numpy as np

    from .encoder import Encoder
    from .generator import Generator

    prepare([out], images, model_dir, ["encoder", "generator"], int8, scale)
    originals = load_digits(images)
    z_mean, _ = Encoder(model_dir, threads=threads, int8=int8).encode(originals)
    reconstructions = Generator(model_dir, threads=threads, int8=int8).generate(z_mean)
    pairs = np.stack([originals, reconstructions])
    save_images(out, [pairs], pairs.shape, columns=len(originals), scale=scale)
    report(out, plural(len(originals), "reconstruction"))


@cli.command()
@click.argument("image_a", type=click.Path(path_type=Path))
@click.argument("image_b", type=click.Path(path_type=Path))
@click.option("--steps", type=click.IntRange(2, 1000), default=10, help="Images in the strip.")
@picture_out_option
@scale_option
@model_options
@writes_outputs
def interpolate(image_a, image_b, steps, out, scale, model_dir, threads, int8):
    """Walk from one picture's code to another's: a strip of digits.

    The walk is a straight line between the two latent means.
    """
    from .encoder import Encoder
    from .generator import Generator
    from .latents import interpolation

    prepare([out], [image_a, image_b], model_dir, ["encoder", "generator"], int8, scale)
    z_mean, _ = Encoder(model_dir, threads=threads, int8=int8).encode(load_digits([image_a, image_b]))
    generator = Generator(model_dir, threads=threads, int8=int8)
    images = generator.generate(interpolation(z_mean[0], z_mean[1], steps))
    save_images(out, [images], images.shape, columns=steps, scale=scale)
    report(out, f"{steps} steps")


@cli.command()
@click.argument("model_dir_argument", metavar="[MODEL_DIR]", required=False, type=click.Path(path_type=Path))
@click.option(
    "--model-dir",
    type=click.Path(path_type=Path),
    help="An exported model folder (default: the bundled model).",
)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
def info(model_dir_argument, model_dir, output_format):
    """Describe a model: its manifest, metadata and file checks.

    The exit status is 1 when a file fails them.
    """
    if model_dir_argument and model_dir:
        raise click.UsageError("give the model folder once, as MODEL_DIR or --model-dir")
    from .model_info import describe_model, failed_checks, format_info

    description = describe_model(model_dir_argument or model_dir)
    if output_format == "json":
        echo_json(description)
    else:
        click.echo(format_info(description))
    failed = failed_checks(description)
    if failed:
        raise EdgeVAEError(f"{plural(len(failed), 'file')} failed the checks: {', '.join(failed)}")


@cli.command()
@click.option("--batches", default="1,32,1024", help="Comma-separated batch sizes.")
@click.option(
    "--seconds",
    type=click.FloatRange(0, MAX_BENCH_SECONDS),
    default=0.5,
    help="Time per measurement.",
)
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table")
@model_options
def bench(batches, seconds, output_format, model_dir, threads, int8):
    """Measure generate and encode speed on this machine.

    Latency and throughput, per batch size.
    """
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
        echo_json(rows)
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
