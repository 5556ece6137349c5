"""Updating W2 before the backward pass has used it: dA1 is computed with the new W2."""
TASK = "backprop.sgd_step"
EXPECT = "already-updated W2"


def sgd_step(params, X, labels, lr):
    logits, cache = mlp_forward(params, X)
    loss = cross_entropy(logits, labels)
    n, k = logits.shape
    dZ2 = (jnp.exp(log_softmax(logits)) - jax.nn.one_hot(labels, k, dtype=logits.dtype)) / n
    second = {"W": params[1]["W"] - lr * (cache["A1"].T @ dZ2), "b": params[1]["b"] - lr * dZ2.sum(0)}
    dZ1 = (dZ2 @ second["W"].T) * (cache["Z1"] > 0)  # the updated W2: too late
    first = {"W": params[0]["W"] - lr * (X.T @ dZ1), "b": params[0]["b"] - lr * dZ1.sum(0)}
    return [first, second], loss
