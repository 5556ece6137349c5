"""A fresh key from the device index: different on every device, but the key passed in is ignored."""
TASK = "pmap.device_dropout"
EXPECT = "differs in"


def device_dropout(key, x, rate):
    device_key = jax.random.key(lax.axis_index(AXIS))
    mask = jax.random.bernoulli(device_key, 1.0 - rate, x.shape)
    return jnp.where(mask, x / (1.0 - rate), 0.0)
