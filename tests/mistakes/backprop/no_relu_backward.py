"""Skipping the ReLU's backward pass: dA1 used as dZ1."""
TASK = "backprop.mlp_backward"
EXPECT = "first layer's differ"


def mlp_backward(params, cache, labels):
    dZ2 = cross_entropy_backward(cache["Z2"], labels)
    dA1, dW2, db2 = linear_backward(dZ2, cache["A1"], params[1]["W"])
    _, dW1, db1 = linear_backward(dA1, cache["X"], params[0]["W"])
    return [{"W": dW1, "b": db1}, {"W": dW2, "b": db2}]
