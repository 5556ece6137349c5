"""The output asked for whole on every device: every row gathered everywhere."""
TASK = "sharding.tp_mlp_forward"
EXPECT = "holds an all-gather"


def tp_mlp_forward(params, x):
    hidden = jax.nn.relu(x @ params["w1"] + params["b1"])
    return jnp.matmul(hidden, params["w2"], out_sharding=P()) + params["b2"]
