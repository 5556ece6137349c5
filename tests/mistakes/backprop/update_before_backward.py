"""Updating W2 before the first layer's gradient has used it."""
TASK = "backprop.sgd_step"
EXPECT = 'already-updated W2'


def sgd_step(params, X, labels, lr):
    logits, cache = mlp_forward(params, X)
    loss = cross_entropy(logits, labels)
    dZ2 = cross_entropy_backward(logits, labels)
    _, dW2, db2 = linear_backward(dZ2, cache["A1"], params[1]["W"])
    second = {"W": params[1]["W"] - lr * dW2, "b": params[1]["b"] - lr * db2}
    dA1 = dZ2 @ second["W"].T  # the updated W2: too late
    _, dW1, db1 = linear_backward(relu_backward(dA1, cache["Z1"]), X, params[0]["W"])
    return [{"W": params[0]["W"] - lr * dW1, "b": params[0]["b"] - lr * db1}, second], loss
