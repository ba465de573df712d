"""`edgevae export`: a training run's Keras models -> ONNX files, after proving they compute the same."""

from pathlib import Path

import click

# TensorFlow first and quietly; this fails, as ImportError, when the train extra is missing.
from edgevae.train.quiet_tensorflow import tensorflow  # noqa: F401

from .convert import DEFAULT_OPSET, SUPPORTED_OPSETS
from .export_run import export_run


@click.command(name="export")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option(
    "--out", "model_dir", type=click.Path(path_type=Path), required=True, help="Model folder to write."
)
@click.option(
    "--opset",
    type=click.IntRange(SUPPORTED_OPSETS.start, SUPPORTED_OPSETS.stop - 1),
    default=DEFAULT_OPSET,
)
@click.option("--quantize", type=click.Choice(["int8"]), help="Also write int8 copies of both models.")
@click.option("--ort", is_flag=True, help="Also write .ort copies (onnxruntime's mobile and minimal builds).")
@click.option("--force", is_flag=True, help="Replace --out if it exists.")
@click.option(
    "--data",
    "data_path",
    type=click.Path(path_type=Path),
    help="MNIST for the parity check and the digit anchors, as for edgevae train (default: the same search).",
)
def command(run_dir, model_dir, opset, quantize, ort, force, data_path):
    """Export RUN_DIR's encoder and generator to ONNX in --out, checked against Keras first."""
    export_run(
        run_dir,
        model_dir,
        opset=opset,
        int8=quantize == "int8",
        force=force,
        data_path=data_path,
        report=click.echo,
        ort=ort,
    )
    click.echo(f"Wrote {model_dir}")
