"""JSON files the runtime reads (manifest.json, latent_map.json) are bounded and checked field by field:
a failure is one line naming the file and the field, what `info --format json` prints is JSON, and a
manifest's oddities never stop a model that is itself sound from loading."""

import json
from pathlib import Path

import pytest
from edgevae.runtime import EdgeVAEError
from edgevae.runtime.model_info import describe_model


def edit(model: Path, change):
    """Rewrite model/manifest.json as change(manifest) gives it: a dict, or the file's text or bytes."""
    path = model / "manifest.json"
    new = change(json.loads(path.read_text()))
    if isinstance(new, dict):
        new = json.dumps(new)
    path.write_bytes(new if isinstance(new, bytes) else new.encode())


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
        pytest.param(
            lambda m: m | {"files": ["encoder.onnx", "generator.onnx"]}, ['"files"'], id="files-a-list"
        ),
        pytest.param(
            lambda m: m | {"files": m["files"] | {"encoder.onnx": 5}}, ['"files"'], id="entry-a-number"
        ),
        pytest.param(
            lambda m: m | {"files": m["files"] | {"../outside.onnx": {"bytes": 1}}},
            ['"files"'],
            id="name-outside-the-folder",
        ),
        pytest.param(lambda m: {"files": None}, ['"files"'], id="files-null"),
        pytest.param(lambda m: "[1, 2]", ["cannot read"], id="a-list"),
        pytest.param(lambda m: "{not json", ["cannot read"], id="broken-json"),
        pytest.param(lambda m: b"\xff\xfe", ["cannot read"], id="not-utf8"),
    ],
)
def test_manifests_are_checked_field_by_field(work, change, words):
    edit(work / "model", change)
    with pytest.raises(EdgeVAEError) as raised:
        describe_model(work / "model")
    assert "\n" not in str(raised.value)
    for word in ["manifest.json", *words]:
        assert word in str(raised.value)


@pytest.mark.subprocess
def test_a_refused_manifest_is_one_line_in_the_cli(work, fails):
    edit(work / "model", with_file_field("role", None))
    fails(["info", "model", "--format", "json"], "manifest.json", "role")


def test_a_manifest_whose_files_is_a_list_does_not_stop_the_model_loading(work, succeeds, fails):
    edit(work / "model", lambda manifest: manifest | {"files": ["generator.onnx"]})
    succeeds(["generate", "--random", 2, "--model-dir", "model", "--out", "x.png"])
    (work / "model" / "generator.onnx").write_bytes((work / "model" / "generator.onnx").read_bytes()[:4000])
    fails(["generate", "--random", 2, "--model-dir", "model", "--out", "x.png"], "not a valid ONNX model")


def test_odd_manifest_values_still_describe(work, succeeds):
    edit(
        work / "model", lambda manifest: manifest | {"image_shape": 5, "metrics": [1, 2], "path": "elsewhere"}
    )
    result = succeeds(["info", "model"])
    assert "images ?" in result.stdout and f"model     {Path('model')}" in result.stdout


def test_info_fails_when_a_file_fails_its_checks_and_still_reports(work, fails):
    encoder = work / "model" / "encoder.onnx"
    encoder.write_bytes(encoder.read_bytes()[:-1] + b"\0")
    result = fails(["info", "model", "--format", "json"], "1 file failed", "encoder.onnx (sha256 differs")
    statuses = {entry["name"]: entry["status"] for entry in json.loads(result.stdout)["files"]}
    assert statuses["encoder.onnx"] == "sha256 differs from manifest" and statuses["generator.onnx"] == "ok"
    encoder.unlink()
    result = fails(["info", "model"], "encoder.onnx (missing)")
    assert "encoder.onnx" in result.stdout and "missing" in result.stdout


def test_json_output_is_format_json_everywhere(succeeds):
    """Strict JSON: a NaN or Infinity printed would fail the parse."""
    refuse = lambda name: pytest.fail(f"{name} printed")  # noqa: E731
    info = json.loads(succeeds(["info", "--format", "json"]).stdout, parse_constant=refuse)
    model = json.loads(succeeds(["info", "model", "--format", "json"]).stdout, parse_constant=refuse)
    bench = json.loads(succeeds(["bench", "--batches", 1, "--seconds", 0, "--format", "json"]).stdout)
    assert info["latent_dim"] == model["latent_dim"] == 2
    assert {row["operation"] for row in bench} == {"generate", "encode"}
