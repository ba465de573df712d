"""`edgevae serve` as a real subprocess on a free port; requests through the standard library."""

import pytest

from serve_client import start_server

pytest.importorskip("starlette", reason="the serve extra is not installed (pip install '.[serve]')")


@pytest.fixture(scope="module")
def server():
    """One server for a test module: the bundled model, one log line per request on its stderr."""
    with start_server("--body-timeout", "2") as running:
        yield running
