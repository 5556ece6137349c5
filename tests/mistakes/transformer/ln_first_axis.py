"""Statistics over the first axis (the batch), as batch normalisation would take them."""
TASK = "transformer.layer_norm"
EXPECT = "`batch`"

def layer_norm(x, scale, bias, eps):
    mean = jnp.mean(x, axis=0, keepdims=True)
    var = jnp.var(x, axis=0, keepdims=True)
    return (x - mean) / jnp.sqrt(var + eps) * scale + bias
