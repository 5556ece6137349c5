"""dW = dZ.T @ A_prev: the transpose of the weight gradient."""
TASK = "backprop.mlp_backward"
EXPECT = "the transpose of W's shape"


def mlp_backward(params, cache, labels):
    X, Z1, A1, Z2 = cache["X"], cache["Z1"], cache["A1"], cache["Z2"]
    n, k = Z2.shape
    dZ2 = (jnp.exp(log_softmax(Z2)) - jax.nn.one_hot(labels, k, dtype=Z2.dtype)) / n
    dZ1 = (dZ2 @ params[1]["W"].T) * (Z1 > 0)
    return [{"W": dZ1.T @ X, "b": dZ1.sum(0)}, {"W": dZ2.T @ A1, "b": dZ2.sum(0)}]
