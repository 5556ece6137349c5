"""Forgetting to divide by the batch size: the gradient of the sum, not of the mean."""
TASK = "backprop.mlp_backward"
EXPECT = "divide dZ2 by the batch size"


def mlp_backward(params, cache, labels):
    X, Z1, A1, Z2 = cache["X"], cache["Z1"], cache["A1"], cache["Z2"]
    dZ2 = jnp.exp(log_softmax(Z2)) - jax.nn.one_hot(labels, Z2.shape[1], dtype=Z2.dtype)
    dZ1 = (dZ2 @ params[1]["W"].T) * (Z1 > 0)
    return [{"W": X.T @ dZ1, "b": dZ1.sum(0)}, {"W": A1.T @ dZ2, "b": dZ2.sum(0)}]
