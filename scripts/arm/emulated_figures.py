"""Timings of the installed edgevae runtime, for the README's Raspberry Pi section.

scripts/test-arm.sh runs this under qemu (ARM emulated on x86_64), so its
figures are EMULATED: they show that the runtime works on ARM and roughly how
start-up and inference scale, not what a real Raspberry Pi measures. It also
runs on any machine as is (it labels the output with what it ran on).

    python scripts/arm/emulated_figures.py [--edgevae CMD] [--calls N]
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnxruntime
from edgevae.runtime import Encoder, Generator
from edgevae.runtime.benchmark import time_calls


def wall(cmd: list[str], runs: int) -> tuple[float, float]:
    """(median, min) wall time in seconds of a fresh process, `runs` times."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def median_ms(call, calls: int) -> float:
    return statistics.median(time_calls(call, seconds=0, least=calls)) * 1e3


def qemu_version(qemu: str) -> str:
    try:
        out = subprocess.run([qemu, "--version"], capture_output=True, text=True).stdout
        return out.split("\n")[0].split("version")[1].split()[0]
    except (OSError, IndexError):
        return "?"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--edgevae", default="edgevae", help="the edgevae command (a path or a shell-quoted command)"
    )
    ap.add_argument("--calls", type=int, default=20, help="timed calls per latency figure")
    ap.add_argument("--runs", type=int, default=3, help="fresh processes per wall-time figure")
    ap.add_argument("--qemu", default=None, help="the qemu user-mode binary this runs under (for the label)")
    ap.add_argument("--qemu-cpu", default=None, help="the -cpu given to qemu (for the label)")
    args = ap.parse_args()

    machine = platform.machine()
    if args.qemu:
        label = (
            f"EMULATED {machine}: {args.qemu} {qemu_version(args.qemu)} user mode, -cpu {args.qemu_cpu}, "
            f"on an x86_64 host ({os.cpu_count()} cores) - not real Raspberry Pi timings"
        )
    else:
        label = f"native {machine} ({os.cpu_count()} cores)"
    py = sys.executable
    edgevae = shlex.split(args.edgevae)
    rows: list[tuple[str, str]] = []

    t, _ = wall([py, "-c", "pass"], args.runs)
    rows.append(("python start-up, fresh process", f"{t:.2f} s"))
    code = "import time; t = time.perf_counter(); import onnxruntime; print(time.perf_counter() - t)"
    imports = [
        float(subprocess.run([py, "-c", code], check=True, capture_output=True, text=True).stdout)
        for _ in range(args.runs)
    ]
    rows.append(("import onnxruntime, fresh process", f"{statistics.median(imports):.2f} s"))

    start = time.perf_counter()
    generator = Generator()
    rows.append(("Generator() load (bundled fp32)", f"{(time.perf_counter() - start) * 1e3:.0f} ms"))
    encoder = Encoder()
    generator8 = Generator(int8=True)
    encoder8 = Encoder(int8=True)
    rng = np.random.default_rng(0)
    z1 = rng.standard_normal((1, generator.config.latent_dim), dtype=np.float32)
    z64 = rng.standard_normal((64, generator.config.latent_dim), dtype=np.float32)
    img1 = generator.generate(z1)
    img64 = generator.generate(z64)
    rows.append(
        (
            "Generator.generate, batch 1, median",
            f"{median_ms(lambda: generator.generate(z1), args.calls):.2f} ms",
        )
    )
    rows.append(
        (
            "Generator.generate, batch 64, median",
            f"{median_ms(lambda: generator.generate(z64), max(3, args.calls // 4)):.1f} ms",
        )
    )
    rows.append(
        (
            "Generator(int8).generate, batch 1, median",
            f"{median_ms(lambda: generator8.generate(z1), args.calls):.2f} ms",
        )
    )
    rows.append(
        ("Encoder.encode, batch 1, median", f"{median_ms(lambda: encoder.encode(img1), args.calls):.2f} ms")
    )
    rows.append(
        (
            "Encoder.encode, batch 64, median",
            f"{median_ms(lambda: encoder.encode(img64), max(3, args.calls // 4)):.1f} ms",
        )
    )
    rows.append(
        (
            "Encoder(int8).encode, batch 1, median",
            f"{median_ms(lambda: encoder8.encode(img1), args.calls):.2f} ms",
        )
    )

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "x.png"
        t, _ = wall([*edgevae, "--version"], args.runs)
        rows.append(("`edgevae --version`, fresh process", f"{t:.2f} s"))
        t, _ = wall([*edgevae, "generate", "--random", "16", "--out", str(out)], args.runs)
        if not out.is_file():
            print("figures: edgevae generate wrote no PNG", file=sys.stderr)
            return 1
        rows.append(("`edgevae generate --random 16 --out x.png`, fresh process", f"{t:.2f} s"))

    print(
        f"figures ({label}; onnxruntime {onnxruntime.__version__}, numpy {np.__version__}, "
        f"Python {platform.python_version()}; medians):"
    )
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"  {name:<{width}}  {value:>9}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
