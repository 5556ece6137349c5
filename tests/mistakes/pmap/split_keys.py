"""The device key split once more before use (a habit from single-device code): not the key the contract names."""
TASK = "pmap.device_dropout"
EXPECT = "differs in"


def device_dropout(key, x, rate):
    _, device_key = jax.random.split(jax.random.fold_in(key, lax.axis_index(AXIS)))
    mask = jax.random.bernoulli(device_key, 1.0 - rate, x.shape)
    return jnp.where(mask, x / (1.0 - rate), 0.0)
