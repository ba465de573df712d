"""The `edgevae serve` command: shutdown on signals, the open-network warning, one-line errors."""

import json
import signal
import subprocess
import sys
import time

import pytest

from helpers import assert_clean_failure, run_cli
from serve_client import start_server


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_during_a_request_lets_it_finish_and_exits_0(signal_number):
    with start_server("--quiet") as server:
        body = json.dumps({"random": 3, "seed": 0}).encode()
        with server.connect() as sock:
            head = (
                "POST /v1/generate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            )
            sock.sendall(head.encode() + body[:5])  # the request is in flight, its body half sent
            time.sleep(0.5)
            server.process.send_signal(signal_number)
            time.sleep(0.5)
            assert server.process.poll() is None  # still waiting for this request
            sock.sendall(body[5:])
            response = b""
            while chunk := sock.recv(65536):
                response += chunk
        assert response.startswith(b"HTTP/1.1 200")
        assert len(json.loads(response.partition(b"\r\n\r\n")[2])["images"]) == 3
        assert server.process.wait(timeout=30) == 0
        log = server.process.stderr.read()
        assert "Traceback" not in log and "stopped" in log


def test_a_network_address_is_announced_as_open():
    with start_server("--host", "0.0.0.0", "--quiet") as server:
        line = server.process.stderr.readline()
        assert "open to that network" in line and "0.0.0.0" in line
        assert server.request("GET", "/v1/health")[0] == 200


def test_a_bad_model_dir_fails_in_one_line(tmp_path):
    assert_clean_failure(run_cli("serve", "--model-dir", tmp_path, "--port", "0"), "generator.onnx not found")


def test_a_port_in_use_fails_in_one_line():
    with start_server("--quiet") as server:
        assert_clean_failure(
            run_cli("serve", "--port", str(server.port)), f"cannot listen on 127.0.0.1:{server.port}"
        )


def test_without_the_serve_extra_the_command_names_it():
    blocker = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('starlette', 'uvicorn'):\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "from edgevae.runtime.cli import main\n"
        "main()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", blocker, "serve", "--port", "0"], capture_output=True, text=True, timeout=60
    )
    assert_clean_failure(
        result, "'edgevae serve' needs the serve extra: pip install '.[serve]' in a checkout"
    )
