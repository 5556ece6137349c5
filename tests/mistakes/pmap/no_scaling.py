"""Plain dropout: the kept entries are not scaled by 1 / (1 - rate)."""
TASK = "pmap.device_dropout"
EXPECT = "kept equal x"


def device_dropout(key, x, rate):
    mask = jax.random.bernoulli(jax.random.fold_in(key, lax.axis_index(AXIS)), 1.0 - rate, x.shape)
    return jnp.where(mask, x, 0.0)
