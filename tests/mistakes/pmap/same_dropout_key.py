"""The shared key used as it is: every device draws the same dropout mask."""
TASK = "pmap.device_dropout"
EXPECT = "dropped exactly the same entries"


def device_dropout(key, x, rate):
    mask = jax.random.bernoulli(key, 1.0 - rate, x.shape)
    return jnp.where(mask, x / (1.0 - rate), 0.0)
