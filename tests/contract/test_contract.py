"""The input contract, Python's side: every case of cases.json that is not JavaScript's alone, run
through the runtime's API on the models of tests/contract_models.py (web/test/contract.test.mjs runs
the same cases through web/edgevae.mjs); and the cases that JSON can carry, through `edgevae serve`."""

import json
from pathlib import Path

import numpy as np
import pytest
from contract_models import write_models
from edgevae.runtime import EdgeVAEError, Encoder, Generator
from edgevae.runtime.images import centre_by_mass
from edgevae.runtime.model_files import read_latent_map

CASES = json.loads((Path(__file__).parent / "cases.json").read_text())["cases"]
TOLERANCE = 1e-4  # relative: the models sum hundreds of float32 values


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> Path:
    return write_models(tmp_path_factory.mktemp("contract-models"))


def value(spec):
    """A case's input as Python gives it: plain lists of numbers, or numpy arrays of a type."""
    if isinstance(spec, dict) and "complex" in spec:
        return np.array(spec["complex"], np.complex64) * (1 + 1j)
    if not (isinstance(spec, dict) and "array" in spec):
        return spec
    array = spec["array"]
    shape, fill = array["shape"], array["fill"]
    numbers = np.array(fill if isinstance(fill, list) else [fill] * shape[0], dtype=object)
    values = np.repeat(numbers.astype(np.float64), int(np.prod(shape[1:], dtype=int)))
    for index, number in array.get("at", []):
        values[index] = float(number)
    if array["type"] != "plain":
        return values.reshape(shape).astype(array["type"])
    whole = all(isinstance(number, int) for number in [*numbers, *(n for _, n in array.get("at", []))])
    return (values.astype(int) if whole else values).reshape(shape).tolist()


def run(case, models: Path):
    call = case["call"]
    if call == "centre":
        field = centre_by_mass(value(case["digit"]))
        rows, columns = np.nonzero(field)
        return {"origin": [int(rows.min()), int(columns.min())]}
    folder = models / case["model"]
    if call == "latent_map":
        latent_map = read_latent_map(folder)
        return {"latents": None if latent_map is None else len(latent_map["z"])}
    source = folder / case["file"] if "file" in case else folder
    role = {"encode": "encoder", "load": case.get("role")}.get(call, "generator")
    model = (Encoder if role == "encoder" else Generator)(source, int8=case.get("int8", False))
    if call == "load":
        return {"image_shape": list(model.config.image_shape), "latent_dim": model.config.latent_dim}
    if call == "encode":
        z_mean, z_log_var = model.encode(value(case["images"]))
        return {"z_mean": z_mean, "z_log_var": z_log_var}
    if call == "generate":
        images = model.generate(value(case["latents"]))
    else:
        images = model.sample(case["n"], case.get("seed"), case.get("digit"))
    return {"images": images.reshape(len(images), -1)}


def check(expected: dict, got: dict):
    if "origin" in expected:
        assert got == expected
    elif "z_mean" in expected:
        for key in ("z_mean", "z_log_var"):
            np.testing.assert_allclose(got[key], expected[key], rtol=TOLERANCE, atol=TOLERANCE)
    elif "latent_dim" in expected or "latents" in expected:
        assert got == expected
    else:
        images = got["images"]
        assert images.shape == (expected["images"], expected["pixels"])
        assert images.min() >= 0 and images.max() <= 1  # the generator's output is clipped on both sides
        if "values" in expected:
            np.testing.assert_allclose(images, np.array(expected["values"])[:, None] + 0 * images, atol=1e-6)


@pytest.mark.parametrize(
    "case", [pytest.param(case, id=case["name"]) for case in CASES if case.get("only", "python") == "python"]
)
def test_contract(case, models):
    if "error" in case:
        assert case["error"]["class"] == "EdgeVAEError"
        with pytest.raises(EdgeVAEError) as raised:
            run(case, models)
        assert case["error"]["message"] in str(raised.value)
        assert "\n" not in str(raised.value)
    else:
        check(case["expect"], run(case, models))


def test_every_case_names_itself_once_and_says_why_it_is_one_sided():
    names = [case["name"] for case in CASES]
    assert len(names) == len(set(names))
    assert all(case.get("why") for case in CASES if "only" in case)


def json_case(case) -> bool:
    """A case that a JSON body can carry to the server: plain numbers, no NaN, a non-empty list."""
    spec = case.get("images", case.get("latents"))
    array = spec["array"] if isinstance(spec, dict) and "array" in spec else None
    if array:
        special = [array["fill"], *(number for _, number in array.get("at", []))]
        plain = array["type"] == "plain" and not any(isinstance(number, str) for number in special)
        spec = value(spec) if plain else None
    # Over 1,024 items the server's batch limit answers first (tests/server covers it).
    listed = isinstance(spec, list) and 0 < len(spec) <= 1024
    return case["call"] in ("encode", "generate") and case.get("model") == "tiny" and listed


@pytest.fixture(scope="module")
def server(models):
    pytest.importorskip("starlette", reason="the serve extra is not installed (pip install '.[serve]')")
    from server.serve_client import start_server  # tests/server's client; tests/ is pytest's root

    with start_server("--model-dir", str(models / "tiny")) as running:
        yield running


@pytest.mark.parametrize("case", [pytest.param(case, id=case["name"]) for case in CASES if json_case(case)])
def test_contract_through_the_server(case, server):
    """POST /v1/encode {"pixels"} and /v1/generate {"latents"}: the same answers and messages."""
    path, field = ("/v1/encode", "images") if case["call"] == "encode" else ("/v1/generate", "latents")
    status, _, body = server.post_json(
        path, {"pixels" if field == "images" else "latents": value(case[field])}
    )
    answer = json.loads(body)
    if "error" in case:
        assert status == 400 and case["error"]["message"] in answer["error"]
    elif field == "images":
        assert status == 200, answer
        got = {key: [encoding[key] for encoding in answer["encodings"]] for key in ("z_mean", "z_log_var")}
        check(case["expect"], got)
    else:
        assert status == 200, answer
        check(case["expect"], {"images": np.array(answer["images"]).reshape(len(answer["images"]), -1)})
