"""Serve the latent explorer on 127.0.0.1: the page, onnxruntime-web's wasm files, and one model folder.

    python3 web/serve.py [--port 8000] [--model-dir runtime/pretrained]

Standard library only, so `make web` needs no virtual environment. Three URL spaces, nothing else:
/ is web/ (top-level files only), /ort/ is onnxruntime-web's CPU build, /model/ is the model folder.
"""

import argparse
import sys
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

WEB = Path(__file__).resolve().parent
BUNDLED_MODEL = WEB.parent / "runtime" / "pretrained"
ORT_DIST = WEB / "node_modules" / "onnxruntime-web" / "dist"
# The CPU-only (wasm) build: ort.min.mjs would pull a 28 MB WebGPU-capable wasm instead.
ORT_FILES = ("ort.wasm.min.mjs", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm")
TYPES = {
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".wasm": "application/wasm",
    ".json": "application/json",
    ".onnx": "application/octet-stream",
    ".ort": "application/octet-stream",
    ".css": "text/css",
    ".html": "text/html; charset=utf-8",
    ".png": "image/png",
}


class Handler(SimpleHTTPRequestHandler):
    def __init__(self, *args, model_dir: Path, quiet: bool, **kwargs):
        self.model_dir, self.quiet = model_dir, quiet
        super().__init__(*args, directory=str(WEB), **kwargs)

    def translate_path(self, path: str) -> str:
        """Map a URL onto one of the three folders; anything else is a path that does not exist."""
        parts = unquote(urlsplit(path).path).split("/")[1:]
        missing = str(WEB / ".missing")
        if any(part.startswith(".") or "\\" in part for part in parts):
            return missing
        if parts == [""]:
            return str(WEB / "index.html")
        if len(parts) == 1 and (WEB / parts[0]).suffix in TYPES:
            return str(WEB / parts[0])
        if len(parts) == 2 and parts[0] == "ort" and parts[1] in ORT_FILES:
            return str(ORT_DIST / parts[1])
        if len(parts) == 2 and parts[0] == "model" and parts[1]:
            return str(self.model_dir / parts[1])
        return missing

    def guess_type(self, path) -> str:
        return TYPES.get(Path(path).suffix, "application/octet-stream")

    def end_headers(self):
        self.send_header("Cache-Control", "no-cache")  # revalidate: a re-exported model shows up on reload
        super().end_headers()

    def log_message(self, format, *args):
        if not self.quiet:
            super().log_message(format, *args)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port (default: 8000)")
    parser.add_argument("--model-dir", type=Path, default=BUNDLED_MODEL, help="an exported model folder")
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    args = parser.parse_args()
    model_dir = args.model_dir.resolve()
    if not (model_dir / "generator.onnx").is_file():
        return fail(f"{args.model_dir} is not a model folder: it has no generator.onnx")
    if not all((ORT_DIST / name).is_file() for name in ORT_FILES):
        return fail(f"onnxruntime-web is not installed: run `npm ci` in {WEB} (make web does)")
    try:
        server = ThreadingHTTPServer(
            ("127.0.0.1", args.port), partial(Handler, model_dir=model_dir, quiet=args.quiet)
        )
    except OSError as error:
        return fail(f"cannot listen on 127.0.0.1:{args.port}: {error.strerror or error}")
    print(
        f"Serving the latent explorer at http://127.0.0.1:{server.server_port}/ (model: {model_dir});"
        " Ctrl-C stops it",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def fail(message: str) -> int:
    print(f"Error: {message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
