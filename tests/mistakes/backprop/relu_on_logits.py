"""A ReLU after the last layer too: the logits can no longer be negative."""
TASK = "backprop.mlp_forward"
EXPECT = 'ReLU was applied after the last layer'


def mlp_forward(params, X):
    Z1 = X @ params[0]["W"] + params[0]["b"]
    A1 = jnp.maximum(Z1, 0.0)
    Z2 = jnp.maximum(A1 @ params[1]["W"] + params[1]["b"], 0.0)
    return Z2, {"X": X, "Z1": Z1, "A1": A1, "Z2": Z2}
