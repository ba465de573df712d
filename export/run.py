"""`edgevae export` as a function: convert, prove parity, then write the model folder in one step.

Everything is staged in a hidden folder next to MODEL_DIR and renamed into place at the end, so an
interrupted or refused export leaves MODEL_DIR as it was.
"""

import json
import os
import shutil
import tempfile
from pathlib import Path

import onnx

from edgevae.runtime.errors import EdgeVAEError
from edgevae.runtime.files import check_output_folder, save_text
from edgevae.train.data import as_model_input, load_mnist

from . import convert, metadata
from .parity import check_parity, prior_samples
from .quantize import check_generator_error, int8_error, quantize_int8

ROLES = ("encoder", "generator")


def export_run(run_dir, model_dir, opset=convert.DEFAULT_OPSET, int8=False, force=False, data_path=None,
               report=print) -> dict:
    run_dir, model_dir = Path(run_dir), Path(model_dir)
    if not run_dir.is_dir():
        raise EdgeVAEError(f"run folder not found: {run_dir}")
    if model_dir.exists() and not force:
        raise EdgeVAEError(f"{model_dir} already exists: pass --force to replace it")
    check_output_folder(model_dir)
    encoder, generator = convert.load_keras_models(run_dir)
    run_metrics = read_metrics(run_dir)
    test_images = as_model_input(load_mnist(data_path).x_test)

    models = {"encoder": convert.encoder_to_onnx(encoder, opset), "generator": convert.generator_to_onnx(generator, opset)}
    parity = check_parity(encoder, generator, models["encoder"], models["generator"], test_images)
    report(f"Parity with Keras (max abs difference): {json.dumps(parity)}")
    shared = metadata.summary(convert.latent_dim_of(encoder), opset, run_metrics, parity)

    staging = Path(tempfile.mkdtemp(prefix=f".{model_dir.name}.", dir=model_dir.parent))
    try:
        for role, model in models.items():
            onnx.save(metadata.stamp(model, {**shared, "role": role, "parity": parity[role]}), staging / f"{role}.onnx")
        errors = write_int8(staging, shared, test_images, report) if int8 else None
        save_text(json.dumps(metadata.manifest(staging, shared, errors), indent=2) + "\n", staging / "manifest.json")
        replace_folder(staging, model_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return parity


def write_int8(staging: Path, shared: dict, test_images, report) -> dict:
    inputs = {"encoder": {"image": test_images}, "generator": {"z": prior_samples(shared["latent_dim"])}}
    errors = {}
    for role in ROLES:
        fp32_path, int8_path = staging / f"{role}.onnx", staging / f"{role}.int8.onnx"
        quantize_int8(fp32_path, int8_path)
        errors[role] = int8_error(fp32_path, int8_path, inputs[role])
        model = onnx.load(int8_path)
        onnx.checker.check_model(model, full_check=True)
        onnx.save(metadata.stamp(model, {**shared, "role": role, "precision": "int8", "int8_error": errors[role]}),
                  int8_path)
        report(f"{int8_path.name}: {int8_path.stat().st_size} bytes (fp32 {fp32_path.stat().st_size}),"
               f" error against fp32 {json.dumps(errors[role])}")
    check_generator_error(errors["generator"])
    return errors


def read_metrics(run_dir: Path) -> dict:
    path = run_dir / "metrics.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EdgeVAEError(f"{path} not found: is {run_dir} a folder written by edgevae train?") from None
    except (OSError, ValueError) as error:
        raise EdgeVAEError(f"cannot read {path}: {error}") from None


def replace_folder(staging: Path, model_dir: Path) -> None:
    """Move staging to model_dir; an old model_dir is moved aside first and removed only afterwards."""
    os.chmod(staging, 0o755)  # mkdtemp makes it private
    old = None
    if model_dir.exists():
        old = model_dir.with_name(f".{model_dir.name}.old-{os.getpid()}")
        os.replace(model_dir, old)
    os.replace(staging, model_dir)
    if old is not None:
        shutil.rmtree(old) if old.is_dir() else old.unlink()
