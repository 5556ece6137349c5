"""The output asked for split over "model" as well: a reduce-scatter, and each device holds only some columns."""
TASK = "sharding.tp_mlp_forward"
EXPECT = "the output (laid out by P('data', 'model'))"


def tp_mlp_forward(params, x):
    hidden = jax.nn.relu(x @ params["w1"] + params["b1"])
    return jnp.matmul(hidden, params["w2"], out_sharding=P("data", "model")) + params["b2"]
