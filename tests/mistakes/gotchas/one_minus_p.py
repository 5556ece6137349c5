"""Drawing with the drop probability 1 - keep_prob."""
TASK = "gotchas.dropout_masks"
EXPECT = "`masks`"

def dropout_masks(key, n, shape, keep_prob):
    return jnp.stack([jax.random.bernoulli(k, 1 - keep_prob, shape) for k in jax.random.split(key, n)])
