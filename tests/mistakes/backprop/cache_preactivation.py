"""The hidden pre-activation stored as A1 in the cache (the logits are right)."""
TASK = "backprop.mlp_forward"
EXPECT = 'holds the pre-activation'


def mlp_forward(params, X):
    Z1 = X @ params[0]["W"] + params[0]["b"]
    Z2 = jnp.maximum(Z1, 0.0) @ params[1]["W"] + params[1]["b"]
    return Z2, {"X": X, "Z1": Z1, "A1": Z1, "Z2": Z2}
