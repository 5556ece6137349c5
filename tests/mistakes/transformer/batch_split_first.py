"""The key split before use: a habit, but not the draw the docstring names."""
TASK = "transformer.next_token_batch"
EXPECT = "`many/x`"

def next_token_batch(ids, key, batch_size, block_size):
    starts = jax.random.randint(jax.random.split(key)[1], (batch_size,), 0, ids.shape[0] - block_size)
    window = starts[:, None] + jnp.arange(block_size)[None, :]
    return ids[window].astype(jnp.int32), ids[window + 1].astype(jnp.int32)
