"""Every endpoint against the Python API it calls: the same numbers (within 1e-6) and the same errors."""

import io
import json
from pathlib import Path

import numpy as np
import pytest
from edgevae.runtime import EdgeVAEError, Encoder, Generator, load_digit
from edgevae.runtime.generator import as_latents
from edgevae.runtime.model_info import describe_model
from PIL import Image

from helpers import SECOND_STROKE, draw_digit, run_cli
from serve_client import multipart

PHOTO = Path(__file__).resolve().parents[2] / "docs" / "photo.jpg"
TOLERANCE = 1e-6


@pytest.fixture(scope="module")
def generator():
    return Generator()


@pytest.fixture(scope="module")
def encoder():
    return Encoder()


def ok_json(response):
    status, headers, body = response
    assert status == 200, body
    assert headers["content-type"] == "application/json"
    return json.loads(body)


def refusal(response, status=400):
    got, headers, body = response
    assert (got, headers["content-type"]) == (status, "application/json"), body
    (message,) = json.loads(body).values()
    assert "\n" not in message and "Traceback" not in message
    return message


def test_health_and_info(server, generator):
    assert ok_json(server.request("GET", "/v1/health")) == {"status": "ready"}
    info = ok_json(server.request("GET", "/v1/info"))
    described = describe_model(None)
    assert info["files"] == described["files"] and info["metrics"] == described["metrics"]
    assert info["latent_dim"] == 2 and info["image_shape"] == [28, 28]
    assert info["digit_anchors"] == generator.digit_anchors
    assert info["threads"] == 1 and info["workers"] >= 1 and info["int8"] is False


def test_generate_latents_as_json_and_float32(server, generator):
    latents = [[0.5, -1.0], [0.0, 0.0], [-2.5, 1.25]]
    expected = generator.generate(latents)
    answer = ok_json(server.post_json("/v1/generate", {"latents": latents}))
    assert answer["latents"] == latents
    assert np.abs(np.array(answer["images"]) - expected).max() <= TOLERANCE
    status, headers, body = server.post_json("/v1/generate", {"latents": latents}, "application/octet-stream")
    assert status == 200 and headers["x-shape"] == "3,28,28"
    assert np.abs(np.frombuffer(body, "<f4").reshape(3, 28, 28) - expected).max() <= TOLERANCE
    single = ok_json(server.post_json("/v1/generate", {"latents": [0.5, -1.0]}))  # one latent, as [latent]
    assert np.abs(np.array(single["images"]) - expected[:1]).max() <= TOLERANCE


@pytest.mark.parametrize(
    "body, expected",
    [
        ({"random": 5, "seed": 3}, lambda g: g.sample(5, seed=3)),
        ({"random": 4, "seed": 0, "digit": 7}, lambda g: g.sample(4, seed=0, digit=7)),
        ({"digits": True}, lambda g: g.digits()),
        ({"digits": True, "random": 2, "seed": 1}, lambda g: g.digits(2, seed=1)),
    ],
)
def test_generate_draws_as_the_python_api(server, generator, body, expected):
    answer = ok_json(server.post_json("/v1/generate", body))
    assert np.abs(np.array(answer["images"]) - expected(generator)).max() <= TOLERANCE


def test_generate_png_is_the_cli_grid(server, tmp_path):
    status, headers, body = server.post_json("/v1/generate", {"random": 16, "seed": 0}, "image/png")
    assert status == 200 and headers["content-type"] == "image/png"
    run_cli("generate", "--random", 16, "--seed", 0, "--out", tmp_path / "grid.png")
    assert np.array_equal(
        np.asarray(Image.open(io.BytesIO(body))), np.asarray(Image.open(tmp_path / "grid.png"))
    )


def test_manifold_is_the_cli_manifold(server, tmp_path):
    status, headers, body = server.request("GET", "/v1/manifold?n=7&span=0.9")
    assert status == 200 and headers["content-type"] == "image/png"
    run_cli("manifold", "--n", 7, "--span", 0.9, "--out", tmp_path / "manifold.png")
    assert np.array_equal(
        np.asarray(Image.open(io.BytesIO(body))), np.asarray(Image.open(tmp_path / "manifold.png"))
    )


def test_encode_a_picture_body(server, encoder):
    z_mean, z_log_var = encoder.encode(load_digit(PHOTO))
    status, headers, body = server.request(
        "POST", "/v1/encode?show_input=true", PHOTO.read_bytes(), {"Content-Type": "image/jpeg"}
    )
    (record,) = json.loads(body)["encodings"]
    assert status == 200 and record["image"] == "the request body"
    assert np.abs(np.array(record["z_mean"]) - z_mean[0]).max() <= TOLERANCE
    assert np.abs(np.array(record["z_log_var"]) - z_log_var[0]).max() <= TOLERANCE
    assert np.abs(np.array(record["input"]) - load_digit(PHOTO)).max() <= TOLERANCE
    (digit,), (probability,) = encoder.classify(load_digit(PHOTO))
    assert record["digit"] == digit and abs(record["probability"] - probability) <= TOLERANCE


def test_encode_several_as_multipart(server, encoder, tmp_path):
    paths = [draw_digit(tmp_path / "a.png"), draw_digit(tmp_path / "b.png", stroke=SECOND_STROKE), PHOTO]
    body, content_type = multipart([(path.name, path.read_bytes()) for path in paths])
    answer = ok_json(server.request("POST", "/v1/encode", body, {"Content-Type": content_type}))
    z_mean, _ = encoder.encode(np.stack([load_digit(path) for path in paths]))
    assert [record["image"] for record in answer["encodings"]] == ["a.png", "b.png", "photo.jpg"]
    digits, _ = encoder.classify(np.stack([load_digit(path) for path in paths]))
    assert [record["digit"] for record in answer["encodings"]] == digits.tolist()
    assert np.abs(np.array([record["z_mean"] for record in answer["encodings"]]) - z_mean).max() <= TOLERANCE


def test_encode_json_pixels(server, encoder):
    pixels = np.stack([load_digit(PHOTO), np.zeros((28, 28), np.float32)])
    answer = ok_json(server.post_json("/v1/encode", {"pixels": pixels.reshape(2, 784).tolist()}))
    z_mean, z_log_var = encoder.encode(pixels)
    assert np.abs(np.array([record["z_mean"] for record in answer["encodings"]]) - z_mean).max() <= TOLERANCE
    # JSON numbers are plain numbers, floats in [0, 1] (the input contract): whole ones too.
    ones = ok_json(server.post_json("/v1/encode", {"pixels": [[1] * 784]}))
    assert (
        np.abs(np.array(ones["encodings"][0]["z_mean"]) - encoder.encode(np.ones((1, 784)))[0]).max()
        <= TOLERANCE
    )
    assert "must hold pixels in [0, 1]" in refusal(server.post_json("/v1/encode", {"pixels": [[255] * 784]}))


def python_error(call) -> str:
    with pytest.raises(EdgeVAEError) as error:
        call()
    return str(error.value)


def test_errors_are_the_python_apis(server, generator, encoder):
    cases = [
        ({"latents": [[float("nan"), 0]]}, lambda: as_latents([[float("nan"), 0]], 2)),
        ({"latents": [[1, 2, 3]]}, lambda: as_latents([[1, 2, 3]], 2)),
    ]
    for body, call in cases:
        assert refusal(server.post_json("/v1/generate", json.dumps(body))) == python_error(call)
    assert refusal(server.post_json("/v1/encode", {"pixels": [[2.0] * 784]})) == python_error(
        lambda: encoder.encode(np.full((1, 784), 2.0))
    )
    blank = io.BytesIO()
    Image.new("L", (50, 50), 255).save(blank, format="PNG")
    message = refusal(server.request("POST", "/v1/encode", blank.getvalue(), {"Content-Type": "image/png"}))
    assert message == "the request body: no digit found, the picture is blank"


def test_the_page_and_its_modules(server):
    status, headers, page = server.request("GET", "/")
    assert status == 200 and headers["content-type"].startswith("text/html") and b"app.mjs" in page
    web = Path(__file__).resolve().parents[2] / "web"
    status, _, models = server.request("GET", "/models.mjs")
    assert status == 200 and models == (web / "api-models.mjs").read_bytes()  # computed by the API
    for name in ("app.mjs", "edgevae.mjs", "style.css"):
        assert server.request("GET", f"/{name}")[2] == (web / name).read_bytes()
    for path in (
        "/serve.py",
        "/package.json",
        "/test/browser.mjs",
        "/../pyproject.toml",
        "/ort/ort.wasm.min.mjs",
    ):
        assert refusal(server.request("GET", path), 404).startswith("no such page")
