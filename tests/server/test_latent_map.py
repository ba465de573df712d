"""The latent map the server sends to the page (GET /v1/latent-map) is read once, before the port opens,
by read_latent_map (its field-by-field cases are in tests/contract/cases.json): a bad one stops
`edgevae serve` with one line naming the file and the field."""

import json
import subprocess
import sys

from edgevae.runtime.model_files import bundled_model_dir

from helpers import assert_clean_failure, copy_model


def test_serve_refuses_a_bad_latent_map_before_it_listens(tmp_path):
    model = copy_model(bundled_model_dir(), tmp_path / "model")
    path = model / "latent_map.json"
    latent_map = json.loads(path.read_text())
    path.write_text(json.dumps(latent_map | {"digit": latent_map["digit"][:-1]}))
    command = [sys.executable, "-m", "edgevae.runtime.cli", "serve", "--port", "0", "--model-dir", model]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert_clean_failure(result, "latent_map.json", '"digit"')
