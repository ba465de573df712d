"""Check that the emulated aarch64 interpreter is what scripts/test-arm.sh means it to be.

Run by the emulated python: it must say aarch64, have sys.executable point at the
wrapper (so subprocesses stay emulated), import the stdlib's C extensions, the
aarch64 wheels and the installed edgevae (not the source tree), and run a tiny
onnxruntime session. The tiny model is hand-encoded protobuf, so no `onnx` package
is needed on either side.
"""

from __future__ import annotations

import argparse
import os
import platform
import struct
import subprocess
import sys
import time
from importlib.metadata import version


# --- a minimal protobuf writer, enough for an ONNX ModelProto -----------------
def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _key(field: int, wire: int) -> bytes:
    return _varint(field << 3 | wire)


def _int(field: int, n: int) -> bytes:
    return _key(field, 0) + _varint(n)


def _bytes(field: int, data: bytes | str) -> bytes:
    if isinstance(data, str):
        data = data.encode()
    return _key(field, 2) + _varint(len(data)) + data


def _tensor_type(dims) -> bytes:  # TypeProto{tensor_type{elem_type=FLOAT, shape}}
    shape = b"".join(
        _bytes(1, _bytes(2, d) if isinstance(d, str) else _int(1, d)) for d in dims
    )
    return _bytes(1, _int(1, 1) + _bytes(2, shape))


def _value_info(name: str, dims) -> bytes:
    return _bytes(1, name) + _bytes(2, _tensor_type(dims))


def tiny_model(weights: list[list[float]]) -> bytes:
    """y = Sigmoid(x @ W), x: (N, k) float32, W: (k, m)."""
    k, m = len(weights), len(weights[0])
    raw = struct.pack(f"<{k * m}f", *(v for row in weights for v in row))
    init = _int(1, k) + _int(1, m) + _int(2, 1) + _bytes(8, "W") + _bytes(9, raw)
    nodes = _bytes(1, _bytes(1, "x") + _bytes(1, "W") + _bytes(2, "h") + _bytes(4, "MatMul"))
    nodes += _bytes(1, _bytes(1, "h") + _bytes(2, "y") + _bytes(4, "Sigmoid"))
    graph = nodes + _bytes(2, "smoke") + _bytes(5, init)
    graph += _bytes(11, _value_info("x", ["N", k])) + _bytes(12, _value_info("y", ["N", m]))
    opset = _bytes(1, "") + _int(2, 13)
    return _int(1, 7) + _bytes(8, opset) + _bytes(7, graph)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--expect-site", help="folder the aarch64 wheels must import from")
    ap.add_argument("--expect-edgevae", help="folder edgevae must import from")
    args = ap.parse_args()
    problems = []

    def check(ok: bool, what: str) -> None:
        if not ok:
            problems.append(what)

    check(platform.machine() == "aarch64", f"platform.machine() is {platform.machine()!r}")
    check(os.path.basename(sys.executable) == "python3" and "qemu" not in sys.executable
          and not sys.executable.endswith("python3.11"),
          f"sys.executable is {sys.executable!r}, not the wrapper")
    child = subprocess.run([sys.executable, "-c", "import platform; print(platform.machine())"],
                           capture_output=True, text=True)
    check(child.stdout.strip() == "aarch64", f"a sys.executable subprocess says {child.stdout.strip()!r} {child.stderr[-200:]!r}")

    import bz2, ctypes, decimal, hashlib, json, lzma, sqlite3, ssl, uuid, zlib  # noqa: F401,E401

    t = time.perf_counter()
    import onnxruntime as ort
    t_ort = time.perf_counter() - t
    import click
    import numpy as np
    import PIL

    for mod in (ort, np, PIL, click):
        if args.expect_site:
            check(mod.__file__.startswith(args.expect_site), f"{mod.__name__} imports from {mod.__file__}")

    import edgevae.runtime as rt

    if args.expect_edgevae:
        check(rt.__file__.startswith(args.expect_edgevae), f"edgevae.runtime imports from {rt.__file__}")

    w = [[0.5, -1.0, 2.0], [0.25, 0.75, -0.5]]
    sess = ort.InferenceSession(tiny_model(w), providers=["CPUExecutionProvider"])
    x = np.array([[1.0, 2.0], [-1.0, 0.5]], dtype=np.float32)
    (y,) = sess.run(None, {"x": x})
    want = 1.0 / (1.0 + np.exp(-(x.astype(np.float64) @ np.array(w))))
    check(float(np.abs(y - want).max()) < 1e-6, f"tiny model gives {y.tolist()}, want {want.tolist()}")

    print(f"smoke: {platform.machine()} python {platform.python_version()} onnxruntime {ort.__version__} "
          f"numpy {np.__version__} pillow {PIL.__version__} click {version('click')} "
          f"edgevae {rt.__version__}; import onnxruntime {t_ort:.1f} s; "
          f"sys.executable={sys.executable}; providers={ort.get_available_providers()}")
    for p in problems:
        print(f"smoke: PROBLEM: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
