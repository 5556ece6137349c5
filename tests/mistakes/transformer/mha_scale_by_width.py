"""Hand-written attention scaled by the full width H * dh instead of the head size."""
TASK = "transformer.multi_head_attention"
EXPECT = "`heads`"

def multi_head_attention(params, x, num_heads):
    batch, length, _ = x.shape
    width = params["wq"].shape[1]
    q, k, v = (jnp.swapaxes((x @ params[n]).reshape(batch, length, num_heads, -1), 1, 2) for n in ("wq", "wk", "wv"))
    scores = q @ jnp.swapaxes(k, -1, -2) / jnp.sqrt(width)
    scores = jnp.where(jnp.tril(jnp.ones((length, length), bool)), scores, -jnp.inf)
    out = jax.nn.softmax(scores, axis=-1) @ v
    return jnp.swapaxes(out, 1, 2).reshape(batch, length, -1) @ params["wo"]
