"""A step size hard-coded to 0.1 instead of the lr argument."""
TASK = "backprop.sgd_step"
EXPECT = 'versus params - lr * the gradient'


def sgd_step(params, X, labels, lr):
    logits, cache = mlp_forward(params, X)
    grads = mlp_backward(params, cache, labels)
    return jax.tree.map(lambda p, g: p - 0.1 * g, params, grads), cross_entropy(logits, labels)
