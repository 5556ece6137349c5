"""jax.jacobian of the scalar loss: automatic differentiation under another name."""
TASK = "backprop.mlp_backward"
EXPECT = 'in-process rule'


def mlp_backward(params, cache, labels):
    return jax.jacobian(lambda p: cross_entropy(mlp_forward(p, cache["X"])[0], labels))(params)
