"""Start `edgevae serve` and talk to it: plain HTTP over the standard library, raw sockets for clients
that misbehave on purpose."""

import http.client
import json
import re
import signal
import socket
import subprocess
import sys
import uuid
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass
class Server:
    process: subprocess.Popen
    port: int

    def request(self, method, path, body=None, headers=None, timeout=60):
        """(status, headers, body bytes) of one request on a new connection."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def post_json(self, path, value, accept="application/json"):
        body = value if isinstance(value, (bytes, str)) else json.dumps(value)
        return self.request("POST", path, body, {"Content-Type": "application/json", "Accept": accept})

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=30)


@contextmanager
def start_server(*args):
    command = [sys.executable, "-m", "edgevae.runtime.cli", "serve", "--port", "0", *args]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stderr.readline()
        match = re.search(r"http://\S+:(\d+)/", line)
        assert match, f"no address in {line!r}: {process.stderr.read() if process.poll() is not None else ''}"
        yield Server(process, int(match.group(1)))
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
        process.stdout.close()
        process.stderr.close()


def multipart(files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    """(body, content type) of a multipart/form-data upload of (filename, bytes) files."""
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="file{index}"; filename="{name}"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n".encode()
        + data
        + b"\r\n"
        for index, (name, data) in enumerate(files)
    ]
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def read_response(sock: socket.socket) -> tuple[int, bytes]:
    """(status, body) of a raw socket's response, read until the server closes or the length is met."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    if not head:
        return 0, b""
    length = re.search(rb"content-length: (\d+)", head, re.IGNORECASE)
    while length and len(body) < int(length.group(1)):
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(head.split()[1]), body
