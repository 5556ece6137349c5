"""Returning the loss of the updated parameters instead of the ones the step started from."""
TASK = "backprop.sgd_step"
EXPECT = 'loss of the updated parameters'


def sgd_step(params, X, labels, lr):
    _, cache = mlp_forward(params, X)
    grads = mlp_backward(params, cache, labels)
    new = jax.tree.map(lambda p, g: p - lr * g, params, grads)
    return new, cross_entropy(mlp_forward(new, X)[0], labels)
