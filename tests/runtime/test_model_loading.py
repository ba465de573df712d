"""Loading checks: the wrong role, and broken or missing files, each give a clear EdgeVAEError.

Each behaviour is tested here, through the API (foreign models: hostile/test_foreign_models.py's table);
test_cli_errors.py keeps one CLI check per kind of failure.
"""

import re
import shutil

import pytest
from edgevae.runtime import EdgeVAEError, Encoder, Generator

from helpers import FLOAT32_FILES, copy_model


def test_an_encoder_where_a_generator_is_expected(model_dir, tmp_path):
    folder = copy_model(model_dir, tmp_path / "model", names=())
    shutil.copy(model_dir / "encoder.onnx", folder / "generator.onnx")
    with pytest.raises(EdgeVAEError, match="is an encoder model, but a generator model is needed"):
        Generator(folder)


def test_a_generator_where_an_encoder_is_expected(model_dir, tmp_path):
    folder = copy_model(model_dir, tmp_path / "model", names=())
    shutil.copy(model_dir / "generator.onnx", folder / "encoder.onnx")
    with pytest.raises(EdgeVAEError, match="is a generator model, but an encoder model is needed"):
        Encoder(folder)


def test_a_truncated_model_names_the_manifest_size(model_dir, tmp_path):
    folder = copy_model(model_dir, tmp_path / "model")
    data = (model_dir / "generator.onnx").read_bytes()
    (folder / "generator.onnx").write_bytes(data[: len(data) // 3])
    size = f"truncated or changed: {len(data) // 3} bytes, manifest says {len(data)}"
    message = f"generator.onnx: not a valid ONNX model, {size}"
    with pytest.raises(EdgeVAEError, match=re.escape(message)):
        Generator(folder)


def test_a_truncated_model_without_manifest(model_dir, tmp_path):
    folder = copy_model(model_dir, tmp_path / "model", names=())
    (folder / "encoder.onnx").write_bytes((model_dir / "encoder.onnx").read_bytes()[:1000])
    with pytest.raises(EdgeVAEError, match="encoder.onnx: not a valid ONNX model"):
        Encoder(folder)


def test_an_empty_model(tmp_path):
    (tmp_path / "generator.onnx").write_bytes(b"")
    with pytest.raises(EdgeVAEError, match="empty"):
        Generator(tmp_path)


def test_a_text_file_named_onnx(tmp_path):
    (tmp_path / "generator.onnx").write_text("not a model\n")
    with pytest.raises(EdgeVAEError, match="not a valid ONNX model"):
        Generator(tmp_path / "generator.onnx")


def test_missing_folder_file_and_int8_file(model_dir, tmp_path):
    with pytest.raises(EdgeVAEError, match="model folder not found"):
        Generator(tmp_path / "nowhere")
    with pytest.raises(EdgeVAEError, match="model file not found"):
        Generator(tmp_path / "nowhere.onnx")
    folder = copy_model(model_dir, tmp_path / "model", names=FLOAT32_FILES)
    with pytest.raises(EdgeVAEError, match="generator.int8.onnx not found"):
        Generator(folder, int8=True)
    with pytest.raises(EdgeVAEError, match="encoder.onnx not found"):
        Encoder(copy_model(model_dir, tmp_path / "generator-only", names=("generator.onnx",)))


def test_error_messages_are_one_line(tmp_path):
    with pytest.raises(EdgeVAEError) as raised:
        Generator(tmp_path / "a\nb")
    assert "\n" not in str(raised.value)
