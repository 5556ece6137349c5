"""Letting jax.grad do the backward pass that the task asks to write by hand."""
TASK = "backprop.mlp_backward"
EXPECT = 'in-process rule'


def mlp_backward(params, cache, labels):
    return jax.grad(lambda p: cross_entropy(mlp_forward(p, cache["X"])[0], labels))(params)
