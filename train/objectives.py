"""Training objectives: the proper negative ELBO, and the seed notebook's loss for comparison.

Both take the training model's outputs and return one value per image.
"""

from keras import ops

# Keras clips probabilities to [1e-7, 1 - 1e-7] in binary_crossentropy; the seed loss must too.
KERAS_EPSILON = 1e-7
SEED_KL_FACTOR = 0.0005


def bce_from_logits(images, logits):
    """Per-pixel binary cross-entropy in nats, exact for any logit."""
    return ops.maximum(logits, 0.0) - logits * images + ops.log1p(ops.exp(-ops.abs(logits)))


def kl_divergence(z_mean, z_log_var):
    """KL(q(z|x) || N(0, I)) in nats, summed over the latent dimensions."""
    return 0.5 * ops.sum(ops.square(z_mean) + ops.exp(z_log_var) - z_log_var - 1.0, axis=-1)


def elbo_terms(images, outputs):
    """(reconstruction, kl) per image, in nats: -ELBO = reconstruction + kl."""
    reconstruction = ops.sum(bce_from_logits(images, outputs["logits"]), axis=-1)
    return reconstruction, kl_divergence(outputs["z_mean"], outputs["z_log_var"])


def negative_elbo(images, outputs, kl_weight=1.0):
    reconstruction, kl = elbo_terms(images, outputs)
    return reconstruction + kl_weight * kl


def seed_loss(images, outputs, kl_weight=1.0):
    """The notebook's loss: mean clipped BCE over pixels + 0.0005 * mean(mu^2 + e^logvar - logvar - 1)."""
    probabilities = ops.clip(ops.sigmoid(outputs["logits"]), KERAS_EPSILON, 1.0 - KERAS_EPSILON)
    bce = -(images * ops.log(probabilities) + (1.0 - images) * ops.log(1.0 - probabilities))
    z_mean, z_log_var = outputs["z_mean"], outputs["z_log_var"]
    kl_like = ops.mean(ops.square(z_mean) + ops.exp(z_log_var) - z_log_var - 1.0, axis=-1)
    return ops.mean(bce, axis=-1) + kl_weight * SEED_KL_FACTOR * kl_like


OBJECTIVES = {"elbo": negative_elbo, "seed": seed_loss}
# The seed's sampler used exp(log_var) as the standard deviation; reproducing its numbers needs it too.
LOG_VAR_SCALE = {"elbo": 0.5, "seed": 1.0}
