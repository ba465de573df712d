"""examples/systemd/edgevae.service passes `systemd-analyze verify` and runs edgevae serve unprivileged."""

import shutil
import subprocess
import sys
from pathlib import Path

UNIT = Path(__file__).resolve().parents[2] / "examples" / "systemd" / "edgevae.service"


def test_the_unit_verifies(tmp_path):
    assert shutil.which("systemd-analyze"), "systemd-analyze is missing: make test installs Debian's systemd"
    text = UNIT.read_text()
    # verify checks that ExecStart's program exists: point it at this environment's edgevae.
    edgevae = Path(sys.executable).parent / "edgevae"
    assert "ExecStart=/opt/edgevae/bin/edgevae serve " in text and edgevae.is_file()
    unit = tmp_path / "edgevae.service"
    unit.write_text(text.replace("/opt/edgevae/bin/edgevae", str(edgevae)))
    result = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0 and "edgevae.service" not in result.stderr, result.stderr
    settings = dict(
        line.split("=", 1) for line in text.splitlines() if "=" in line and not line.startswith("#")
    )
    assert settings["DynamicUser"] == "yes" and settings["Restart"] == "on-failure"
    assert settings["KillSignal"] == "SIGTERM"
