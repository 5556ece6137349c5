"""Adding the gradient instead of subtracting it."""
TASK = "backprop.sgd_step"
EXPECT = 'climbs the loss'


def sgd_step(params, X, labels, lr):
    logits, cache = mlp_forward(params, X)
    grads = mlp_backward(params, cache, labels)
    return jax.tree.map(lambda p, g: p + lr * g, params, grads), cross_entropy(logits, labels)
