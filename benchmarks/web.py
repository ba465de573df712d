"""Section 6: the latent explorer page in headless Chromium and web/edgevae.mjs in Node.js.

Runs web/bench.mjs (needs `npm ci` in web/ and Debian's chromium: `make test-web` sets both up).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from benchmarks.tables import table

WEB = Path(__file__).resolve().parents[1] / "web"


def report(quick: bool = False) -> str:
    title = "## 6. In a web page and in Node.js"
    if not (WEB / "node_modules" / "onnxruntime-web").is_dir():
        return f"{title}\n\nSkipped: run `make test-web` first (npm packages and chromium)."
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    command = ["node", "bench.mjs", *(["--quick"] if quick else [])]
    result = json.loads(subprocess.run(command, cwd=WEB, capture_output=True, text=True, check=True).stdout)
    browser, node = result["browser"], result["node"]
    weight = sum(entry["bytes"] for entry in browser["weight"])
    wasm = result["wasmBytes"]
    rows = [
        [
            "page ready, cold cache (models loaded, map and manifold drawn)",
            f"{browser['readyMs']:.0f} ms",
            "-",
            f"Node.js: the generator loads in {node['loadMs']:.0f} ms",
        ],
        ["`generate`, batch 1", ms(browser["generate1"]), ms(node["generate1"]), ""],
        ["`generate`, batch 64", ms(browser["generate64"]), ms(node["generate64"]), ""],
        ["`encode`, batch 1", ms(browser["encode1"]), ms(node["encode1"]), ""],
    ]
    return "\n\n".join(
        [
            title,
            "`node web/bench.mjs`: medians; page loads from a fresh browser profile "
            f"({result['loads']} loads), calls in {result['calls']}-call blocks. Browser: Debian's Chromium, "
            "onnxruntime-web (wasm, 1 thread); Node: onnxruntime-node (CPU, 1 thread). Load average at "
            f"start: {load}.",
            table(["", "browser", "Node.js", "note"], rows),
            f"Page weight: {weight / 1e6:.1f} MB in {len(browser['weight'])} requests, of which "
            f"onnxruntime's wasm is {wasm / 1e6:.1f} MB ({result['gzippedWasm'] / 1e6:.1f} MB gzipped, for "
            "a server that compresses) and the two fp32 models 1.9 MB.",
        ]
    )


def ms(value: float) -> str:
    return f"{value * 1000:.0f} µs" if value < 1 else f"{value:.2f} ms"


if __name__ == "__main__":
    print(report("--quick" in sys.argv))
