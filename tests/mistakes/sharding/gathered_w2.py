"""w2 gathered whole onto every device before layer 2: right numbers, and an all-gather of the weights."""
TASK = "sharding.tp_mlp_forward"
EXPECT = "holds an all-gather"


def tp_mlp_forward(params, x):
    hidden = jax.nn.relu(x @ params["w1"] + params["b1"])
    hidden = jax.sharding.reshard(hidden, P("data", None))
    w2 = jax.sharding.reshard(params["w2"], P())
    return hidden @ w2 + params["b2"]
