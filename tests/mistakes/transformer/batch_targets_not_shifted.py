"""The targets are the inputs themselves."""
TASK = "transformer.next_token_batch"
EXPECT = "targets equal to the inputs"

def next_token_batch(ids, key, batch_size, block_size):
    starts = jax.random.randint(key, (batch_size,), 0, ids.shape[0] - block_size)
    window = starts[:, None] + jnp.arange(block_size)[None, :]
    return ids[window].astype(jnp.int32), ids[window].astype(jnp.int32)
