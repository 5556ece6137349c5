"""Masks of 0.0 and 1.0 instead of booleans."""
TASK = "gotchas.dropout_masks"
EXPECT = "dtype float32, expected bool"

def dropout_masks(key, n, shape, keep_prob):
    keys = jax.random.split(key, n)
    return jnp.stack([jax.random.bernoulli(k, keep_prob, shape).astype(jnp.float32) for k in keys])
