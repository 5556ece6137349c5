"""Averaging over the batch only: the squared errors of one example are summed over the outputs."""
TASK = "pytrees.mlp_loss"
EXPECT = "`one_layer/value`"


def mlp_loss(params, x, y):
    h = x
    for layer in params[:-1]:
        h = jnp.tanh(h @ layer["w"] + layer["b"])
    h = h @ params[-1]["w"] + params[-1]["b"]
    return jnp.mean(jnp.sum((h - y) ** 2, axis=1))
