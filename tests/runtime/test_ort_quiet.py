"""The schema-registration filter on file descriptor 2: the noise goes, everything else stays, in order.

Each case runs in a fresh process, since the filter acts on the process's real fd 2 and only once.
On Debian's onnxruntime (the armhf run of scripts/test-arm.sh) the second case also meets the real
noise; elsewhere it shows that onnxruntime's own log lines still come through the filter.
"""

import subprocess
import sys
import textwrap

import pytest
from edgevae.runtime.ort_quiet import debian_build

SCHEMA_LINE = (
    "Schema error: Trying to register schema with name Abs (domain:  version: 1) from file "
    "./onnx/defs/math/old.cc line 2729, but it is already registered from file "
    "./onnx/defs/math/old.cc line 2729"
)


def run_python(code: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", textwrap.dedent(code)]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def test_only_the_schema_noise_is_dropped():
    result = run_python(
        f"""
        import os, sys
        from edgevae.runtime.ort_quiet import quiet_schema_noise

        noise = {(SCHEMA_LINE + chr(10) * 2).encode()!r}
        print("before", file=sys.stderr, flush=True)
        with quiet_schema_noise(force=True):
            os.write(2, noise * 600)
            os.write(2, b"a real warning\\n")
            os.write(2, noise)
            os.write(2, b"\\nafter a blank line\\n")
            print("from Python", file=sys.stderr)
        print("after", file=sys.stderr, flush=True)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == "before\na real warning\n\nafter a blank line\nfrom Python\nafter\n"


def test_onnxruntime_log_lines_still_reach_stderr(model_dir):
    result = run_python(
        f"""
        import onnxruntime
        from edgevae.runtime.ort_quiet import quiet_schema_noise

        options = onnxruntime.SessionOptions()
        options.log_severity_level = 0  # verbose: onnxruntime writes its own lines to fd 2
        with quiet_schema_noise(force=True):
            onnxruntime.InferenceSession({str(model_dir / "generator.onnx")!r}, sess_options=options,
                                         providers=["CPUExecutionProvider"])
        print("loaded")
        """
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout == "loaded\n"
    assert "Schema error" not in result.stderr
    assert "[I:onnxruntime:" in result.stderr and "Initializing session" in result.stderr


@pytest.mark.parametrize(
    "module_file, debian",
    [
        pytest.param(
            "/usr/lib/python3/dist-packages/onnxruntime/__init__.py", True, id="apt-python3-onnxruntime"
        ),
        pytest.param(
            "/cache/armhf/root/usr/lib/python3/dist-packages/onnxruntime/__init__.py",
            True,
            id="apt-python3-onnxruntime-in-a-root",
        ),
        pytest.param("/venv/lib/python3.11/site-packages/onnxruntime/__init__.py", False, id="pypi-wheel"),
        pytest.param("", False, id="unknown"),
    ],
)
def test_the_filter_is_for_debians_build_only(module_file, debian):
    assert debian_build(module_file) is debian


def test_pypi_onnxruntime_runs_without_the_filter():
    import onnxruntime

    assert debian_build() is ("/usr/lib/python3/dist-packages/" in onnxruntime.__file__)
