"""The first layer's bias left out."""
TASK = "backprop.mlp_forward"
EXPECT = 'at `eager[0]` differs'


def mlp_forward(params, X):
    Z1 = X @ params[0]["W"]
    A1 = jnp.maximum(Z1, 0.0)
    Z2 = A1 @ params[1]["W"] + params[1]["b"]
    return Z2, {"X": X, "Z1": Z1, "A1": A1, "Z2": Z2}
