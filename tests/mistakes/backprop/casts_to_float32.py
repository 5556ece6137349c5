"""Everything cast to float32 first: float64 nets get float32 gradients."""
TASK = "backprop.mlp_backward"
EXPECT = 'dtype float32, expected float64'


def mlp_backward(params, cache, labels):
    cache = {name: jnp.asarray(value, jnp.float32) for name, value in cache.items()}
    W1, W2 = (jnp.asarray(layer["W"], jnp.float32) for layer in params)
    dZ2 = cross_entropy_backward(cache["Z2"], labels)
    dA1, dW2, db2 = linear_backward(dZ2, cache["A1"], W2)
    dZ1 = relu_backward(dA1, cache["Z1"])
    _, dW1, db1 = linear_backward(dZ1, cache["X"], W1)
    return [{"W": dW1, "b": db1}, {"W": dW2, "b": db2}]
