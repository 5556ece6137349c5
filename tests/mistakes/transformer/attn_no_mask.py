"""No causal mask at all: every position sees the whole sequence."""
TASK = "transformer.causal_attention"
EXPECT = "later position"

def causal_attention(q, k, v):
    length = q.shape[-2]
    scores = jnp.einsum("...td,...sd->...ts", q, k) / jnp.sqrt(q.shape[-1])
    allowed = jnp.tril(jnp.ones((length, length), dtype=bool))
    weights = jax.nn.softmax(scores, axis=-1)
    return jnp.einsum("...ts,...sd->...td", weights, v), weights
