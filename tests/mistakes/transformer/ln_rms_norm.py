"""RMS normalisation: the mean is never subtracted."""
TASK = "transformer.layer_norm"
EXPECT = "`batch`"

def layer_norm(x, scale, bias, eps):
    return x / jnp.sqrt(jnp.mean(x * x, axis=-1, keepdims=True) + eps) * scale + bias
