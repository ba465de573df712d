"""Training objectives: the proper negative ELBO, and the seed notebook's loss for comparison.

Both take the training model's outputs and return one value per image. With a VampPrior the outputs
carry the prior's components (`prior_mean`, `prior_log_var`) and the KL term is estimated from the
sampled z: log q(z|x) - log p(z), which has no closed form for a mixture.
"""

import math

from keras import ops

# Keras clips probabilities to [1e-7, 1 - 1e-7] in binary_crossentropy; the seed loss must too.
KERAS_EPSILON = 1e-7
SEED_KL_FACTOR = 0.0005
LOG_TWO_PI = math.log(2 * math.pi)


def bce_from_logits(images, logits):
    """Per-pixel binary cross-entropy in nats, exact for any logit."""
    return ops.maximum(logits, 0.0) - logits * images + ops.log1p(ops.exp(-ops.abs(logits)))


def kl_divergence(z_mean, z_log_var):
    """KL(q(z|x) || N(0, I)) in nats, summed over the latent dimensions."""
    return 0.5 * ops.sum(ops.square(z_mean) + ops.exp(z_log_var) - z_log_var - 1.0, axis=-1)


def log_normal(z, mean, log_var):
    """log N(z; mean, diag(exp(log_var))), summed over the last axis."""
    return -0.5 * ops.sum(LOG_TWO_PI + log_var + ops.square(z - mean) * ops.exp(-log_var), axis=-1)


def log_prior(z, prior_mean=None, prior_log_var=None):
    """log p(z) for z [..., latent]: N(0, I), or the equal-weight mixture of the components [K, latent]."""
    if prior_mean is None:
        return log_normal(z, 0.0, ops.zeros_like(z))
    per_component = log_normal(ops.expand_dims(z, -2), prior_mean, prior_log_var)  # [..., K]
    return ops.logsumexp(per_component, axis=-1) - math.log(prior_mean.shape[0])


def elbo_terms(images, outputs):
    """(reconstruction, kl) per image, in nats: -ELBO = reconstruction + kl."""
    reconstruction = ops.sum(bce_from_logits(images, outputs["logits"]), axis=-1)
    z_mean, z_log_var = outputs["z_mean"], outputs["z_log_var"]
    if "prior_mean" not in outputs:
        return reconstruction, kl_divergence(z_mean, z_log_var)
    z = outputs["z"]
    kl = log_normal(z, z_mean, z_log_var) - log_prior(z, outputs["prior_mean"], outputs["prior_log_var"])
    return reconstruction, kl


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


def digit_cross_entropy(labels, digit_logits):
    """The digit head's cross-entropy in nats per image; labels are integer digits."""
    log_probabilities = digit_logits - ops.logsumexp(digit_logits, axis=-1, keepdims=True)
    return -ops.sum(ops.one_hot(labels, digit_logits.shape[-1]) * log_probabilities, axis=-1)


OBJECTIVES = {"elbo": negative_elbo, "seed": seed_loss}
# The seed's sampler used exp(log_var) as the standard deviation; reproducing its numbers needs it too.
LOG_VAR_SCALE = {"elbo": 0.5, "seed": 1.0}
PRIORS = ("vamp", "standard")
