"""tanh after the last layer too: the gradients no longer match the reference loss."""
TASK = "pytrees.mlp_loss"
EXPECT = "`one_layer/value`"


def mlp_loss(params, x, y):
    h = x
    for layer in params:
        h = jnp.tanh(h @ layer["w"] + layer["b"])
    return jnp.mean((h - y) ** 2)
