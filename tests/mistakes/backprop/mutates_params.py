"""Assigning the new weights into the caller's dicts (the in-place update habit from NumPy)."""
TASK = "backprop.sgd_step"
EXPECT = 'changed the params it was given'


def sgd_step(params, X, labels, lr):
    logits, cache = mlp_forward(params, X)
    loss = cross_entropy(logits, labels)
    grads = mlp_backward(params, cache, labels)
    for layer, grad in zip(params, grads):
        for name in ("W", "b"):
            layer[name] = layer[name] - lr * grad[name]
    return params, loss
