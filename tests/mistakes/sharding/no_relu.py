"""The activation forgotten: a linear model of two layers."""
TASK = "sharding.tp_mlp_forward"
EXPECT = "differs in"


def tp_mlp_forward(params, x):
    hidden = x @ params["w1"] + params["b1"]
    return jnp.matmul(hidden, params["w2"], out_sharding=P("data", None)) + params["b2"]
