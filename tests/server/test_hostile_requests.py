"""Requests meant to hurt: each gets a 4xx with {"error": "one line"} or a clean close, never a 500 or a
traceback, and the server stays healthy after every one of them."""

import json
import time

import pytest
from edgevae.runtime.limits import MAX_BATCH, MAX_JSON_BYTES, MAX_REQUEST_BYTES, MAX_UPLOAD_PICTURES

from serve_client import multipart, read_response

JSON = {"Content-Type": "application/json"}

CASES = [
    # (method, path, headers, body, status, words in the message)
    ("POST", "/v1/generate", JSON, b"{not json", 400, "not valid JSON"),
    ("POST", "/v1/generate", JSON, b"[1, 2]", 400, "must be a JSON object, not an array"),
    ("POST", "/v1/generate", JSON, b'{"latents": "0,0"}', 400, "latents must be an array"),
    ("POST", "/v1/generate", JSON, b'{"latents": [["a", "b"]]}', 400, "latents must be numbers"),
    ("POST", "/v1/generate", JSON, b'{"latents": [[0, 0], [1]]}', 400, "latents must be numbers"),
    ("POST", "/v1/generate", JSON, b'{"latents": [[NaN, 0]]}', 400, "finite numbers"),
    ("POST", "/v1/generate", JSON, b'{"latents": [[1e999, 0]]}', 400, "finite numbers"),
    ("POST", "/v1/generate", JSON, b'{"random": 2.5}', 400, "random must be a whole number"),
    ("POST", "/v1/generate", JSON, b'{"random": true}', 400, "random must be a whole number"),
    ("POST", "/v1/generate", JSON, b'{"random": "4"}', 400, "random must be a whole number"),
    ("POST", "/v1/generate", JSON, b'{"random": -1}', 400, "random must be a whole number"),
    ("POST", "/v1/generate", JSON, b'{"random": 1000000000}', 400, f"to {MAX_BATCH:,}"),
    ("POST", "/v1/generate", JSON, b'{"random": 2, "digit": 10}', 400, "digit must be"),
    ("POST", "/v1/generate", JSON, b'{"random": 2, "seed": -5}', 400, "seed must be"),
    ("POST", "/v1/generate", JSON, b'{"seed": 1}', 400, "exactly one of"),
    ("POST", "/v1/generate", JSON, b'{"latents": [[0, 0]], "random": 2}', 400, "exactly one of"),
    ("POST", "/v1/generate", JSON, b'{"latents": [[0, 0]], "colour": 1}', 400, "unknown field 'colour'"),
    (
        "POST",
        "/v1/generate",
        JSON,
        json.dumps({"latents": [[0, 0]] * (MAX_BATCH + 1)}).encode(),
        400,
        "at most",
    ),
    ("POST", "/v1/generate", JSON, b"[" * 100_000 + b"]" * 100_000, 400, "not valid JSON"),
    ("POST", "/v1/generate", {"Content-Type": "text/plain"}, b'{"random": 1}', 415, "application/json"),
    ("POST", "/v1/generate", {**JSON, "Accept": "text/html"}, b'{"random": 1}', 406, "Accept"),
    ("GET", "/v1/generate", {}, None, 405, "GET is not allowed"),
    (
        "POST",
        "/v1/encode",
        {"Content-Type": "image/png"},
        b"\x89PNG\r\n\x1a\n broken",
        400,
        "the request body",
    ),
    ("POST", "/v1/encode", {"Content-Type": "image/png"}, b"", 400, "is empty"),
    ("POST", "/v1/encode", JSON, b'{"pixels": [[0.5]]}', 400, "images must be shaped"),
    ("POST", "/v1/encode", JSON, b'{"pixels": [[{"a": 1}]]}', 400, "images must be numbers"),
    ("POST", "/v1/encode", JSON, b'{"image": 1}', 400, "one field, pixels"),
    ("POST", "/v1/encode", {"Content-Type": "multipart/form-data"}, b"--x--", 400, "multipart"),
    ("POST", "/v1/encode?show_input=maybe", {}, b"", 400, "show_input must be true or false"),
    ("GET", "/v1/manifold?n=1000", {}, None, 400, "n must be from 2 to 100"),
    ("GET", "/v1/manifold?n=abc", {}, None, 400, "n must be a whole number"),
    ("GET", "/v1/manifold?span=nan", {}, None, 400, "span must be a finite number"),
    ("GET", "/v1/manifold?span=2", {}, None, 400, "span"),
    ("GET", "/v1/nothing", {}, None, 404, "no such page"),
    ("GET", "/%2e%2e/pyproject.toml", {}, None, 404, "no such page"),
]


@pytest.mark.parametrize(
    "method, path, headers, body, status, words", CASES, ids=[str(i) for i in range(len(CASES))]
)
def test_refused_with_one_json_line(server, method, path, headers, body, status, words):
    got, response_headers, response = server.request(method, path, body, headers)
    assert got == status, response
    assert response_headers["content-type"] == "application/json"
    (message,) = json.loads(response).values()
    assert words in message and "\n" not in message and "Traceback" not in message
    assert server.request("GET", "/v1/health")[0] == 200


@pytest.mark.parametrize(
    "path, content_type, limit",
    [("/v1/encode", "image/png", MAX_REQUEST_BYTES), ("/v1/generate", "application/json", MAX_JSON_BYTES)],
)
def test_a_huge_declared_body_is_refused_before_it_is_sent(server, path, content_type, limit):
    with server.connect() as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {content_type}\r\n".encode()
            + f"Content-Length: {limit + 1}\r\n\r\n".encode()
        )
        status, body = read_response(sock)
    assert status == 413 and f"at most {limit:,}" in json.loads(body)["error"]
    assert server.request("GET", "/v1/health")[0] == 200


def test_a_huge_chunked_body_is_cut_off(server):
    with server.connect() as sock:
        sock.sendall(
            b"POST /v1/encode HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        chunk = b"x" * 1_000_000
        try:
            for _ in range(MAX_REQUEST_BYTES // len(chunk) + 2):
                sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed while we were still sending
        status, body = read_response(sock)
    assert status in (0, 413)  # 413, or a close before the client could read it
    assert server.request("GET", "/v1/health")[0] == 200


def test_too_many_pictures_in_one_upload(server):
    body, content_type = multipart([(f"{i}.png", b"x") for i in range(MAX_UPLOAD_PICTURES + 1)])
    status, _, response = server.request("POST", "/v1/encode", body, {"Content-Type": content_type})
    assert status == 400 and "multipart" in json.loads(response)["error"]


def test_a_client_that_never_finishes_its_body(server):
    """The server was started with --body-timeout 2: the stalled client gets a 408 and is closed."""
    with server.connect() as sock:
        sock.sendall(
            b"POST /v1/generate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100\r\n\r\n{"
        )
        start = time.monotonic()
        assert server.request("GET", "/v1/health")[0] == 200  # others are served meanwhile
        status, body = read_response(sock)
        assert status == 408 and "did not arrive within 2 s" in json.loads(body)["error"]
        assert 1.5 < time.monotonic() - start < 10
        assert sock.recv(1) == b""  # closed


def test_a_client_that_disconnects_mid_response(server):
    for _ in range(3):
        with server.connect() as sock:
            request = json.dumps({"random": MAX_BATCH, "seed": 0}).encode()
            sock.sendall(
                b"POST /v1/generate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + f"Content-Length: {len(request)}\r\n\r\n".encode()
                + request
            )
            assert sock.recv(100).startswith(b"HTTP/1.1 200")  # about 20 MB follow; hang up on them
    assert server.request("GET", "/v1/health")[0] == 200
    status, _, body = server.post_json("/v1/generate", {"random": 1, "seed": 0})
    assert status == 200


def test_the_log_has_one_line_per_request_and_no_traceback(server):
    server.request("GET", "/v1/health?marker=1")
    server.process.send_signal(15)
    assert server.process.wait(timeout=30) == 0
    log = server.process.stderr.read()
    assert "Traceback" not in log and "internal error" not in log
    lines = [line for line in log.splitlines() if '"' in line]
    assert lines and all(line.count('"') == 2 and line.endswith(" ms") for line in lines)
    assert any('"GET /v1/health" 200' in line for line in lines)
