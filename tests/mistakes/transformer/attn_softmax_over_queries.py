"""The softmax over axis -2 (the queries) instead of the keys."""
TASK = "transformer.causal_attention"
EXPECT = "softmax ran over the query axis"

def causal_attention(q, k, v):
    length = q.shape[-2]
    scores = jnp.einsum("...td,...sd->...ts", q, k) / jnp.sqrt(q.shape[-1])
    allowed = jnp.tril(jnp.ones((length, length), dtype=bool))
    weights = jax.nn.softmax(jnp.where(allowed, scores, -jnp.inf), axis=-2)
    return jnp.einsum("...ts,...sd->...td", weights, v), weights
