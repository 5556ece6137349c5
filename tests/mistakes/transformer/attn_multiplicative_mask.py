"""The mask multiplied into the scores: a masked score of 0 still gets weight."""
TASK = "transformer.causal_attention"
EXPECT = "attends to later positions"

def causal_attention(q, k, v):
    length = q.shape[-2]
    scores = jnp.einsum("...td,...sd->...ts", q, k) / jnp.sqrt(q.shape[-1])
    allowed = jnp.tril(jnp.ones((length, length), dtype=bool))
    weights = jax.nn.softmax(scores * allowed, axis=-1)
    return jnp.einsum("...ts,...sd->...td", weights, v), weights
