"""Epsilon added to the standard deviation instead of the variance."""
TASK = "transformer.layer_norm"
EXPECT = "`batch`"

def layer_norm(x, scale, bias, eps):
    mean = jnp.mean(x, axis=-1, keepdims=True)
    return (x - mean) / (jnp.std(x, axis=-1, keepdims=True) + eps) * scale + bias
