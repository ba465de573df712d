"""The same job as `edgevae generate --random 16 --seed 0 --out x.png`, done with TensorFlow/Keras.

    python -m benchmarks.keras_generate runs/default/generator.keras --out x.png

cold_start.py times this against the edgevae command in fresh processes.
"""

import argparse

import keras
import numpy as np

# The PNG grid is written by the same pillow code as edgevae's (it imports neither onnxruntime nor
# TensorFlow), so the two commands differ only in how they load and run the model.
from edgevae.runtime.images import save_grid


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="a generator.keras file written by edgevae train")
    parser.add_argument("--out", required=True, help="the .png to write")
    parser.add_argument("--count", type=int, default=16)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    generator = keras.models.load_model(args.model, compile=False)
    latent_dim = generator.input_shape[-1]
    z = np.random.default_rng(args.seed).standard_normal((args.count, latent_dim), dtype=np.float32)
    images = generator.predict(z, verbose=0).reshape(args.count, 28, 28)
    save_grid(images, args.out)


if __name__ == "__main__":
    main()
