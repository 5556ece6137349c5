"""A network of exactly two layers written out by hand: any other depth breaks."""
TASK = "pytrees.mlp_loss"
EXPECT = "IndexError"


def mlp_loss(params, x, y):
    hidden = jnp.tanh(x @ params[0]["w"] + params[0]["b"])
    prediction = hidden @ params[1]["w"] + params[1]["b"]
    return jnp.mean((prediction - y) ** 2)
