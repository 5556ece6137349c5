"""jax.nn.standardize does the normalising: the task asks for it by hand."""
TASK = "transformer.layer_norm"
EXPECT = "called jax.nn.standardize"

def layer_norm(x, scale, bias, eps):
    return jax.nn.standardize(x, axis=-1, epsilon=eps) * scale + bias
