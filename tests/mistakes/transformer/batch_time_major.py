"""Windows as columns: (block_size, batch_size) instead of (batch_size, block_size)."""
TASK = "transformer.next_token_batch"
EXPECT = "has shape"

def next_token_batch(ids, key, batch_size, block_size):
    starts = jax.random.randint(key, (batch_size,), 0, ids.shape[0] - block_size)
    window = starts[:, None] + jnp.arange(block_size)[None, :]
    return ids[window.T].astype(jnp.int32), ids[window.T + 1].astype(jnp.int32)
