"""rate used as the probability of keeping an entry."""
TASK = "pmap.device_dropout"
EXPECT = "is the probability of dropping"


def device_dropout(key, x, rate):
    mask = jax.random.bernoulli(jax.random.fold_in(key, lax.axis_index(AXIS)), rate, x.shape)
    return jnp.where(mask, x / (1.0 - rate), 0.0)
