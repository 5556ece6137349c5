"""A mask one off the other way: each position also sees the next one."""
TASK = "transformer.causal_attention"
EXPECT = "attends to later positions"

def causal_attention(q, k, v):
    length = q.shape[-2]
    scores = jnp.einsum("...td,...sd->...ts", q, k) / jnp.sqrt(q.shape[-1])
    allowed = jnp.tril(jnp.ones((length, length), dtype=bool), k=1)
    weights = jax.nn.softmax(jnp.where(allowed, scores, -jnp.inf), axis=-1)
    return jnp.einsum("...ts,...sd->...td", weights, v), weights
