"""`edgevae serve` under load: wrk on loopback, 8 connections, POST /v1/generate with one latent (JSON)
against a do-nothing endpoint of the same framework in the same server, and the server's RSS after the
first 1,000 requests and after 100,000.

    python -m benchmarks.serve [--quick]          # prints the markdown section
    python -m benchmarks.serve --serve PORT       # the server alone (what the benchmark starts)

The do-nothing endpoint, /bench/nothing, exists only in the server this script starts (create_app's
extra_routes): `edgevae serve` has no such route.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

LUA = (
    'wrk.method = "POST"\n'
    "wrk.body = '{\"latents\": [[0.5, -1.0]]}'\n"
    'wrk.headers["Content-Type"] = "application/json"\n'
)
TITLE = "## 10. `edgevae serve` under load"


def serve(port: int):
    """The production app plus /bench/nothing, on uvicorn exactly as `edgevae serve --quiet` runs it."""
    from edgevae.runtime.server.app import create_app
    from edgevae.runtime.server.command import serve as run_server
    from edgevae.runtime.server.service import load_service
    from starlette.responses import Response
    from starlette.routing import Route

    async def nothing(request):
        return Response(b"{}", media_type="application/json")

    app = create_app(
        load_service(None, False, 1),
        log_requests=False,
        extra_routes=[Route("/bench/nothing", nothing, methods=["POST", "GET"])],
    )
    run_server(app, "127.0.0.1", port)


def wrk(url: str, seconds: int, script: Path) -> dict:
    output = subprocess.run(
        ["wrk", "-t", "2", "-c", "8", "-d", f"{seconds}s", "--latency", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)$", output, re.MULTILINE))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "p50": latency["50"],
        "p99": latency["99"],
        "errors": errors + (int(non_2xx.group(1)) if non_2xx else 0),
    }


def load_average() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def rss_mib(pid: int) -> float:
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", text).group(1)) / 1024


def report(quick: bool = False) -> str:
    if shutil.which("wrk") is None:
        return f"{TITLE}\n\nSkipped: wrk is not installed (`apt-get install wrk`)."
    seconds = 3 if quick else 10
    load_before = load_average()
    port = 18000 + os.getpid() % 1000
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(port)], stderr=subprocess.PIPE, text=True
    )
    try:
        server.stderr.readline()  # the address line: it listens
        base = f"http://127.0.0.1:{port}"
        with tempfile.TemporaryDirectory() as folder:
            script = Path(folder) / "post.lua"
            script.write_text(LUA)
            # Warm-up, then RSS after the first 1,000 requests (counted by wrk: a short run).
            first = wrk(f"{base}/v1/generate", 1, script)
            rss_first = rss_mib(server.pid)
            floor = wrk(f"{base}/bench/nothing", seconds, script)
            generate = wrk(f"{base}/v1/generate", seconds, script)
            total = first["requests"] + floor["requests"] + generate["requests"]
            while total < 100_000:  # keep generating until 100,000 requests were served
                total += wrk(f"{base}/v1/generate", 5, script)["requests"]
            rss_last = rss_mib(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=60)
    rows = [row(name, figures) for name, figures in [(FLOOR_NAME, floor), (GENERATE_NAME, generate)]]
    return "\n".join(
        [
            TITLE,
            "",
            f"`python -m benchmarks.serve`: wrk on loopback, 2 threads, 8 connections, {seconds} s each, one"
            " after the other in the same server process (`edgevae serve --quiet` on the bundled fp32 model,"
            f" --threads 1, {os.cpu_count()} cores shared with wrk). Load average (1, 5, 15 min) before:"
            f" {load_before}; after: {load_average()}.",
            "",
            "| endpoint | requests/s | p50 | p99 | errors |",
            "|---|---|---|---|---|",
            *rows,
            "",
            f"generate reaches {generate['rps'] / floor['rps']:.2f}x the framework's floor. Server RSS:"
            f" {rss_first:.1f} MiB after the first {first['requests']:,} requests, {rss_last:.1f} MiB after"
            f" {total:,} ({rss_last - rss_first:+.1f} MiB).",
        ]
    )


FLOOR_NAME = "do-nothing endpoint (same app, same uvicorn)"
GENERATE_NAME = "POST /v1/generate, one latent, JSON"


def row(name: str, figures: dict) -> str:
    return f"| {name} | {figures['rps']:,.0f} | {figures['p50']} | {figures['p99']} | {figures['errors']} |"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--serve", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
    else:
        print(report(args.quick))
