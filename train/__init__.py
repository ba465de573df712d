"""Training the seed notebook's VAE on MNIST with Keras 3 (needs the `train` extra)."""
