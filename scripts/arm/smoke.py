"""Check that the emulated interpreter is what scripts/test-arm.sh means it to be.

Run by the emulated python: it must report the expected machine, have sys.executable point at the
wrapper (so the tests' subprocesses stay emulated), import the stdlib's C extensions, the runtime's
dependencies and edgevae from where the script installed them (not from the source tree), and
generate digits with the bundled model.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from importlib.metadata import version


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--machine", required=True, help="what platform.machine() must say (aarch64, armv7l)")
    parser.add_argument(
        "--expect-packages", help="folder onnxruntime, numpy, pillow and click must import from"
    )
    parser.add_argument("--expect-edgevae", help="folder edgevae must import from")
    args = parser.parse_args()
    problems = []

    def check(ok: bool, what: str) -> None:
        if not ok:
            problems.append(what)

    check(platform.machine() == args.machine, f"platform.machine() is {platform.machine()!r}")
    check(
        os.path.basename(sys.executable) == "python3" and "qemu" not in sys.executable,
        f"sys.executable is {sys.executable!r}, not the wrapper",
    )
    child = subprocess.run(
        [sys.executable, "-c", "import platform; print(platform.machine())"], capture_output=True, text=True
    )
    check(
        child.stdout.strip() == args.machine,
        f"a sys.executable subprocess says {child.stdout.strip()!r} {child.stderr[-200:]!r}",
    )

    import bz2  # noqa: F401,E401

    start = time.perf_counter()
    import onnxruntime

    import_seconds = time.perf_counter() - start
    import click
    import edgevae.runtime
    import numpy as np
    import PIL
    from edgevae.runtime import Encoder, Generator

    if args.expect_packages:
        for module in (onnxruntime, np, PIL, click):
            check(
                module.__file__.startswith(args.expect_packages),
                f"{module.__name__} imports from {module.__file__}",
            )
    if args.expect_edgevae:
        check(
            edgevae.runtime.__file__.startswith(args.expect_edgevae),
            f"edgevae.runtime imports from {edgevae.runtime.__file__}",
        )

    generator = Generator(threads=1)
    images = generator.sample(8, seed=0)
    check(
        images.shape == (8, 28, 28) and bool(np.all((images >= 0) & (images <= 1))),
        f"the bundled generator gives {images.shape} images in [{images.min()}, {images.max()}]",
    )
    z_mean, _ = Encoder(threads=1).encode(images)
    check(
        z_mean.shape == (8, generator.config.latent_dim) and bool(np.isfinite(z_mean).all()),
        f"the bundled encoder gives {z_mean}",
    )

    print(
        f"smoke: {platform.machine()} python {platform.python_version()} "
        f"onnxruntime {onnxruntime.__version__} numpy {np.__version__} pillow {PIL.__version__} "
        f"click {version('click')} "
        f"edgevae {edgevae.runtime.__version__}; import onnxruntime {import_seconds:.1f} s; "
        f"sys.executable={sys.executable}; providers={onnxruntime.get_available_providers()}"
    )
    for problem in problems:
        print(f"smoke: PROBLEM: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
