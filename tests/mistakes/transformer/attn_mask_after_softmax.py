"""The mask applied after the softmax: later keys still share the probability mass."""
TASK = "transformer.causal_attention"
EXPECT = "do not all sum to 1"

def causal_attention(q, k, v):
    length = q.shape[-2]
    scores = jnp.einsum("...td,...sd->...ts", q, k) / jnp.sqrt(q.shape[-1])
    allowed = jnp.tril(jnp.ones((length, length), dtype=bool))
    weights = jax.nn.softmax(scores, axis=-1) * allowed
    return jnp.einsum("...ts,...sd->...td", weights, v), weights
