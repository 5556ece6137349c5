"""log(softmax(z)) written out: exp overflows for large logits."""
TASK = "transformer.cross_entropy"
EXPECT = "NaN or inf"

def cross_entropy(logits, targets):
    probs = jnp.exp(logits) / jnp.sum(jnp.exp(logits), axis=-1, keepdims=True)
    picked = jnp.take_along_axis(jnp.log(probs), targets[..., None], axis=-1)[..., 0]
    return -jnp.mean(picked)
