"""The same key for every mask."""
TASK = "gotchas.dropout_masks"
EXPECT = "used a PRNG key twice"


def dropout_masks(key, n, shape, keep_prob):
    return jnp.stack([jax.random.bernoulli(key, keep_prob, shape) for _ in range(n)])
