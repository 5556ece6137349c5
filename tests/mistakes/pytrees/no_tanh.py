"""No nonlinearity at all: a stack of linear layers."""
TASK = "pytrees.mlp_loss"
EXPECT = "`two_layers/value`"


def mlp_loss(params, x, y):
    h = x
    for layer in params:
        h = h @ layer["w"] + layer["b"]
    return jnp.mean((h - y) ** 2)
