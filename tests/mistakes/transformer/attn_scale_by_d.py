"""Scores divided by d instead of sqrt(d)."""
TASK = "transformer.causal_attention"
EXPECT = "compared with jax.nn.dot_product_attention"

def causal_attention(q, k, v):
    length = q.shape[-2]
    scores = jnp.einsum("...td,...sd->...ts", q, k) / q.shape[-1]
    allowed = jnp.tril(jnp.ones((length, length), dtype=bool))
    weights = jax.nn.softmax(jnp.where(allowed, scores, -jnp.inf), axis=-1)
    return jnp.einsum("...ts,...sd->...td", weights, v), weights
