"""The unbiased variance (divided by F - 1): 0 / 0 for a single feature."""
TASK = "transformer.layer_norm"
EXPECT = "with a single feature"

def layer_norm(x, scale, bias, eps):
    mean = jnp.mean(x, axis=-1, keepdims=True)
    var = jnp.var(x, axis=-1, keepdims=True, ddof=1)
    return (x - mean) / jnp.sqrt(var + eps) * scale + bias
