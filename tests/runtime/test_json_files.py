"""JSON files the runtime reads (manifest.json, latent_map.json) are bounded and checked field by field:
a failure is one line naming the file and the field, and what `info --format json` prints is JSON."""

import json

import pytest
from edgevae.runtime import EdgeVAEError
from edgevae.runtime.model_info import describe_model

from helpers import assert_clean_failure, copy_model, run_cli


@pytest.fixture
def model(tmp_path, model_dir):
    return copy_model(model_dir, tmp_path / "model")


def edit(model, change):
    path = model / "manifest.json"
    text = change(json.loads(path.read_text()))
    path.write_text(text if isinstance(text, str) else json.dumps(text))


def with_file_field(field, value):
    def change(manifest):
        manifest["files"]["encoder.onnx"][field] = value
        return manifest

    return change


def nested(depth):
    return lambda manifest: json.dumps(manifest)[:-1] + ', "x": ' + "[" * depth + "]" * depth + "}"


@pytest.mark.parametrize(
    "change, words",
    [
        pytest.param(
            lambda m: m | {"metrics": {"loss": float("nan")}}, ["NaN is not a JSON number"], id="nan"
        ),
        pytest.param(
            lambda m: m | {"metrics": float("inf")}, ["Infinity is not a JSON number"], id="infinity"
        ),
        pytest.param(with_file_field("role", None), ['"files"', "role"], id="null-role"),
        pytest.param(with_file_field("precision", 8), ['"files"', "precision"], id="precision-a-number"),
        pytest.param(with_file_field("bytes", "many"), ['"files"', "bytes"], id="bytes-a-string"),
        pytest.param(with_file_field("bytes", True), ['"files"', "bytes"], id="bytes-a-boolean"),
        pytest.param(nested(100_000), ["nested more than 32 levels"], id="nesting-bomb"),
    ],
)
def test_manifests_are_checked_field_by_field(model, change, words):
    edit(model, change)
    with pytest.raises(EdgeVAEError) as raised:
        describe_model(model)
    for word in ["manifest.json", *words]:
        assert word in str(raised.value)


def test_a_refused_manifest_is_one_line_in_the_cli(model):
    edit(model, with_file_field("role", None))
    assert_clean_failure(run_cli("info", model, "--format", "json"), "manifest.json", "role")


def test_info_json_is_json(model):
    result = run_cli("info", model, "--format", "json")
    assert result.returncode == 0
    json.loads(result.stdout, parse_constant=lambda name: pytest.fail(f"{name} printed"))
