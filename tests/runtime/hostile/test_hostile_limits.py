"""Limits: thread counts, image counts, benchmark sizes and pictures beyond what memory or the format
holds are refused before any work; a big job that is allowed runs in bounded memory."""

import subprocess
import sys

import numpy as np
import pytest
from edgevae.runtime import Encoder, Generator

from helpers import cli_case, run_cli_on_terminal


@pytest.mark.parametrize(
    "args, words",
    [
        cli_case("threads-million", "generate --random 2 --out x.png --threads 1000000",
                 "--threads", "1<=x<=256"),
        cli_case("threads-257", "encode a.png --threads 257", "--threads", "256"),
        cli_case("threads-zero", "reconstruct a.png --out x.png --threads 0", "--threads"),
        cli_case("threads-negative", "manifold --out x.png --threads -1", "--threads"),
        cli_case("bench-threads", "bench --threads 100000", "--threads"),
        cli_case("random-trillion", f"generate --random {10**12} --out x.npy", "--random", "100000000"),
        cli_case("random-2-to-70", f"generate --random {2**70} --out x.npy", "--random"),
        cli_case("bench-batch-ten-million", f"bench --batches {10**7}", "--batches", "65,536"),
        cli_case("bench-batch-70000", "bench --batches 1,70000", "--batches"),
        cli_case("bench-seconds-infinite", "bench --seconds inf", "--seconds"),
        cli_case("bench-seconds-billion", f"bench --seconds {10**9}", "--seconds"),
    ],
)  # fmt: skip
def test_absurd_requests_are_usage_errors(fails, args, words):
    fails(args, *words, exit_code=2)


@pytest.mark.parametrize(
    "args, words",
    [
        cli_case("grid-200000", "generate --random 200000 --out huge.png", "too large", "megapixels", ".npy",
                 marks=pytest.mark.subprocess),
        cli_case("webp-too-wide", "generate --random 1000 --columns 1000 --out w.webp",
                 "too large", "16,383"),
        cli_case("jpeg-too-wide", "generate --random 3000 --columns 3000 --out w.jpg", "too large", "65,535"),
    ],
)  # fmt: skip
def test_pictures_too_large_to_hold_are_refused(fails, args, words):
    fails(args, *words)


def test_api_refuses_absurd_requests(api_fails):
    api_fails(lambda work: Generator(threads=10**6), "threads", "256")
    api_fails(lambda work: Encoder(threads=0), "threads")
    api_fails(lambda work: Generator(threads=True), "threads")
    api_fails(lambda work: Generator(threads=2.5), "threads")
    api_fails(lambda work: Generator().sample(10**12), "at most 100,000,000")


@pytest.mark.host_only  # 195 s emulated
def test_a_big_job_runs_in_bounded_memory(work):
    """120,000 images are 376 MB as .npy; written in chunks, the process stays far below that."""
    # VmHWM, not getrusage's ru_maxrss: Linux carries the parent's peak (pytest's, with MNIST loaded) into
    # a child's ru_maxrss across exec, while VmHWM belongs to the child's own address space.
    code = (
        "import re, sys\n"
        "from edgevae.runtime.cli import main\n"
        "sys.argv = ['edgevae', *sys.argv[1:]]\n"
        "try:\n    main()\nfinally:\n"
        "    status = open('/proc/self/status').read()\n"
        "    print('PEAK', int(re.search(r'VmHWM:\\s*(\\d+)', status)[1]) // 1024, file=sys.stderr)\n"
    )
    args = ["generate", "--random", "120000", "--seed", "7", "--out", "big.npy"]
    result = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=work, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr
    peak_mib = int(result.stderr.split("PEAK")[-1])
    images = np.load(work / "big.npy", mmap_mode="r")
    assert images.shape == (120000, 28, 28) and images.nbytes / 2**20 > 350
    assert peak_mib < 300, peak_mib
    generator = Generator()
    np.testing.assert_array_equal(
        images[-3:], generator.sample(120000, seed=7)[-3:]
    )  # chunks join up exactly


@pytest.mark.host_only  # 65 s emulated
def test_progress_shows_on_a_terminal_only(work, succeeds):
    status, stdout, shown = run_cli_on_terminal(
        ["generate", "--random", 40000, "--out", "many.npy"], work, "stderr"
    )
    assert status == 0 and stdout == "wrote 40000 images to many.npy\n"
    assert b"40,000/40,000 images" in shown and b"16,384/40,000" in shown
    assert succeeds(["generate", "--random", 40000, "--out", "many.npy"]).stderr == ""  # no terminal
