"""The seed notebook's VAE and training, ported literally to Keras 3: the baseline for training speed.

    python -m benchmarks.seed_notebook --epochs 300    # the notebook's run; it reached val_loss 0.1764

Kept as the notebook wrote it (including its sampler's exp(log_var) standard deviation); only what
Keras 3 no longer accepts is changed, each change marked "Keras 3".
"""

import argparse

import keras
from edgevae.train.data import load_mnist
from keras import layers, ops
from keras.models import Model


def load_data():
    # The notebook called keras.datasets.mnist.load_data(); load_mnist returns the same arrays offline.
    (X_train, y_train), (X_test, y_test) = load_mnist().as_keras_tuple()
    X_train = X_train.astype("float32") / 255.0
    X_test = X_test.astype("float32") / 255.0
    X_train = X_train.reshape(60000, 28 * 28)
    X_test = X_test.reshape(10000, 28 * 28)
    return X_train, X_test


def sampling(args):
    mean, log_var = args
    # Keras 3: the notebook baked in shape (100, 2); Keras 3 traces with an unknown batch,
    # so take the input's.
    epsilon = keras.random.normal(shape=ops.shape(mean), mean=0.0, stddev=1.0)
    return mean + ops.exp(log_var) * epsilon


class VAELoss(layers.Layer):
    """Keras 3: the notebook's vae.add_loss(vae_loss) on symbolic tensors, moved into a layer's call()."""

    def call(self, inputs):
        input_img, z_sample, mean, log_var = inputs
        reconstruction_loss = keras.losses.binary_crossentropy(input_img, z_sample)
        kl_loss = 0.0005 * ops.mean(ops.square(mean) + ops.exp(log_var) - log_var - 1, axis=-1)
        vae_loss = reconstruction_loss + kl_loss
        # Keras 3 sums what add_loss gets; Keras 2 reported the batch mean, the figure the notebook printed.
        self.add_loss(ops.mean(vae_loss))
        return z_sample


def build_models():
    """(vae, encoder, generator), layer for layer as in the notebook."""
    input_img = layers.Input(shape=(784,))
    encoded = layers.Dense(256, activation="elu")(input_img)
    encoded = layers.Dense(128, activation="elu")(encoded)
    mean = layers.Dense(2, name="mean")(encoded)
    log_var = layers.Dense(2, name="var")(encoded)
    z = layers.Lambda(sampling, output_shape=(2,))([mean, log_var])
    encoder = Model(input_img, mean)

    decoder_1 = layers.Dense(128, activation="elu")
    decoder_2 = layers.Dense(256, activation="elu")
    decoder_3 = layers.Dense(784, activation="sigmoid")
    z_sample = decoder_3(decoder_2(decoder_1(z)))

    decoder_input = layers.Input(shape=(2,))
    generator = Model(decoder_input, decoder_3(decoder_2(decoder_1(decoder_input))))

    vae = Model(input_img, VAELoss()([input_img, z_sample, mean, log_var]))
    vae.compile(optimizer="adam")
    return vae, encoder, generator


def train(epochs, callbacks=(), verbose="auto"):
    """The notebook's vae.fit; returns the Keras History."""
    X_train, X_test = load_data()
    vae, _, _ = build_models()
    return vae.fit(
        X_train,
        shuffle=True,
        epochs=epochs,
        batch_size=100,
        validation_data=(X_test, None),
        callbacks=list(callbacks),
        verbose=verbose,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=300, help="the notebook trained 300")
    args = parser.parse_args()
    history = train(args.epochs)
    print(
        f"val_loss {history.history['val_loss'][-1]:.4f} after {args.epochs} epochs"
        " (the notebook: 0.1764 after 300)"
    )


if __name__ == "__main__":
    main()
