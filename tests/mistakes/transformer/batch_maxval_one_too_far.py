"""maxval one too large: a window may start where its last target lies past the end."""
TASK = "transformer.next_token_batch"
EXPECT = "`many/x`"

def next_token_batch(ids, key, batch_size, block_size):
    starts = jax.random.randint(key, (batch_size,), 0, ids.shape[0] - block_size + 1)
    window = starts[:, None] + jnp.arange(block_size)[None, :]
    return ids[window].astype(jnp.int32), ids[window + 1].astype(jnp.int32)
