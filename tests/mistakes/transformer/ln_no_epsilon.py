"""No epsilon: a row whose features are all equal divides 0 by 0."""
TASK = "transformer.layer_norm"
EXPECT = "NaN or inf"

def layer_norm(x, scale, bias, eps):
    mean = jnp.mean(x, axis=-1, keepdims=True)
    return (x - mean) / jnp.std(x, axis=-1, keepdims=True) * scale + bias
