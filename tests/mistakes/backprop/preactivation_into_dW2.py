"""The hidden pre-activation Z1 as the last layer's input, instead of A1."""
TASK = "backprop.mlp_backward"
EXPECT = '`[1]/W`'


def mlp_backward(params, cache, labels):
    dZ2 = cross_entropy_backward(cache["Z2"], labels)
    dA1, dW2, db2 = linear_backward(dZ2, cache["Z1"], params[1]["W"])
    dZ1 = relu_backward(dA1, cache["Z1"])
    _, dW1, db1 = linear_backward(dZ1, cache["X"], params[0]["W"])
    return [{"W": dW1, "b": db1}, {"W": dW2, "b": db2}]
