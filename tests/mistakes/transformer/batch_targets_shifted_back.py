"""The targets read one token before the inputs instead of after."""
TASK = "transformer.next_token_batch"
EXPECT = "not the inputs shifted by one"

def next_token_batch(ids, key, batch_size, block_size):
    starts = jax.random.randint(key, (batch_size,), 0, ids.shape[0] - block_size)
    window = starts[:, None] + jnp.arange(block_size)[None, :]
    return ids[window].astype(jnp.int32), ids[window - 1].astype(jnp.int32)
