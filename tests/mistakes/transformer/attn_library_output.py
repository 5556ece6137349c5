"""The output from jax.nn.dot_product_attention, the weights by hand."""
TASK = "transformer.causal_attention"
EXPECT = "jax.nn.dot_product_attention must not be called"

def causal_attention(q, k, v):
    length = q.shape[-2]
    scores = jnp.einsum("...td,...sd->...ts", q, k) / jnp.sqrt(q.shape[-1])
    weights = jax.nn.softmax(jnp.where(jnp.tril(jnp.ones((length, length), bool)), scores, -jnp.inf), axis=-1)
    lead = q.shape[:-2]
    flat = lambda a: a.reshape(-1, length, 1, a.shape[-1])
    out = jax.nn.dot_product_attention(flat(q), flat(k), flat(v), is_causal=True)
    return out.reshape(*lead, length, v.shape[-1]), weights
