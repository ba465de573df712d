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
from edgevae.runtime.files import make_folder, save_text
from edgevae.runtime.model_files import file_name
from edgevae.train.data import as_model_input, load_mnist

from . import convert, metadata
from .digit_anchors import digit_anchors, missing_digits
from .latent_map import FILE_NAME as LATENT_MAP_FILE
from .latent_map import latent_map_text
from .ort_format import write_ort_copies
from .parity import check_parity, generator_inputs, onnx_outputs
from .prior import prior_of
from .quantize import check_generator_error, int8_error, quantize_int8


def export_run(
    run_dir,
    model_dir,
    opset=convert.DEFAULT_OPSET,
    int8=False,
    force=False,
    data_path=None,
    report=print,
    ort=False,
) -> dict:
    run_dir, model_dir = Path(run_dir), Path(model_dir)
    if not run_dir.is_dir():
        raise EdgeVAEError(f"run folder not found: {run_dir}")
    if model_dir.exists() and not force:
        raise EdgeVAEError(f"{model_dir} already exists: pass --force to replace it")
    if model_dir.exists() and not model_dir.is_dir():
        raise EdgeVAEError(f"cannot write {model_dir}: it is a file, not a folder")
    encoder, generator = convert.load_keras_models(run_dir)
    run_metrics = read_metrics(run_dir)
    mnist = load_mnist(data_path)
    test_images = as_model_input(mnist.x_test)

    models = {
        "encoder": convert.encoder_to_onnx(encoder, opset),
        "generator": convert.generator_to_onnx(generator, opset),
    }
    latent_dim = convert.latent_dim_of(encoder)
    prior = prior_of(run_dir, models["encoder"], latent_dim)
    parity = check_parity(encoder, generator, models["encoder"], models["generator"], test_images, prior)
    report(f"Parity with Keras (max abs difference): {json.dumps(parity)}")
    shared = metadata.summary(latent_dim, opset, run_metrics, parity)
    shared["prior"] = prior
    anchors = anchors_of(models["encoder"], run_metrics, mnist, report)
    shared.update({"digit_anchors": anchors} if anchors else {})
    int8_models, int8_errors = quantized(models, shared, test_images, report) if int8 else ({}, None)

    files = {
        file_name(role): metadata.stamp(model, {**shared, "role": role, "parity": parity[role]})
        for role, model in models.items()
    }
    for role, model in int8_models.items():
        facts = {**shared, "role": role, "precision": "int8", "int8_error": int8_errors[role]}
        files[file_name(role, int8=True)] = metadata.stamp(model, facts)
    extra_files = {LATENT_MAP_FILE: latent_map_text(models["encoder"], test_images, mnist.y_test)}
    ort_inputs = parity_inputs(shared, test_images) if ort else None
    written = write_model_folder(files, shared, int8_errors, model_dir, extra_files, ort_inputs)
    # The sizes of the files as written (metadata stamped in), .ort copies included.
    report("Files: " + ", ".join(f"{name} {entry['bytes']:,} bytes" for name, entry in written.items()))
    return parity


def anchors_of(encoder_onnx, run_metrics: dict, mnist, report) -> list[dict] | None:
    """Each digit's latent region from the run's training images and labels;
    None, said in one line, without them."""
    count = run_metrics.get("train_images")
    if not isinstance(count, int) or count < 1:
        reason = "the run's metrics.json does not say which training images it used (train_images)"
    elif count > len(mnist.x_train):
        reason = f"the run trained on {count} images, but the MNIST found holds only {len(mnist.x_train)}"
    else:
        reason = ""
        labels = mnist.y_train[:count]
        if missing_digits(labels):
            reason = f"the run's training images hold too few of the digits {missing_digits(labels)}"
    if reason:
        report(f"Digit anchors left out: no usable training labels ({reason}).")
        return None
    latents = onnx_outputs(encoder_onnx, {"image": as_model_input(mnist.x_train[:count])})["z_mean"]
    anchors = digit_anchors(latents, labels)
    report(f"Digit anchors for 0-9 from the codes and labels of {count} training images")
    return anchors


def quantized(models: dict, shared: dict, test_images, report) -> tuple[dict, dict]:
    """int8 copies of both models and their error against fp32 on the parity inputs;
    refuses a bad generator."""
    inputs = parity_inputs(shared, test_images)
    int8_models, errors = {}, {}
    for role, model in models.items():
        int8_models[role] = quantize_int8(model)
        onnx.checker.check_model(int8_models[role], full_check=True)
        errors[role] = int8_error(model, int8_models[role], inputs[role])
        report(f"{role}.int8.onnx: error against fp32 {json.dumps(errors[role])}")
    check_generator_error(errors["generator"])
    return int8_models, errors


def parity_inputs(shared: dict, test_images) -> dict:
    """Where .ort copies and int8 files are checked: the test images, and samples of the model's prior."""
    latents = generator_inputs(shared["latent_dim"], shared["prior"])["prior samples"]
    return {"encoder": {"image": test_images}, "generator": {"z": latents}}


def write_model_folder(
    files: dict[str, onnx.ModelProto],
    shared: dict,
    int8_errors,
    model_dir: Path,
    extra_files: dict[str, str] | None = None,
    ort_inputs: dict | None = None,
) -> dict:
    """Stage the files next to model_dir, then rename the folder into place; the manifest's "files".

    extra_files are text files (the latent map); ort_inputs, when given, adds checked .ort copies.
    """
    make_folder(model_dir.parent, parents=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{model_dir.name}.", dir=model_dir.parent))
    try:
        for name, model in files.items():
            onnx.save(model, staging / name)
        ort_parity = write_ort_copies(staging, ort_inputs) if ort_inputs else None
        for name, text in (extra_files or {}).items():
            save_text(text, staging / name)
        manifest = metadata.manifest(staging, shared, int8_errors, ort_parity)
        save_text(json.dumps(manifest, indent=2) + "\n", staging / "manifest.json")
        replace_folder(staging, model_dir)
        return manifest["files"]
    finally:
        shutil.rmtree(staging, ignore_errors=True)


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
