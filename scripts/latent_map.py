"""Write a model folder's latent_map.json (as `edgevae export` does) and list it in its manifest.

For a folder exported before the latent map existed, such as the bundled model:
    python scripts/latent_map.py runtime/pretrained
"""

import argparse
import json
from pathlib import Path

from edgevae.export.latent_map import FILE_NAME, latent_map_text
from edgevae.runtime.model_info import size_and_sha256
from edgevae.train.data import as_model_input, load_mnist


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "model_dir", type=Path, help="an exported model folder with encoder.onnx and manifest.json"
    )
    folder = parser.parse_args().model_dir
    mnist = load_mnist()
    path = folder / FILE_NAME
    path.write_text(latent_map_text(str(folder / "encoder.onnx"), as_model_input(mnist.x_test), mnist.y_test))
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["files"][FILE_NAME] = {"role": "latent_map", **size_and_sha256(path)}
    manifest["latent_map"] = FILE_NAME
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"wrote {path} and listed it in {manifest_path}")


if __name__ == "__main__":
    main()
