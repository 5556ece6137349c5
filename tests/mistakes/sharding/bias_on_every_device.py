"""The Megatron bug: b2 added inside shard_map, before the psum, so it is counted once per "model" device."""
TASK = "sharding.tp_mlp_forward"
EXPECT = "extra copies of b2"


def tp_mlp_forward(params, x):
    def local(w1, b1, w2, b2, rows):
        return lax.psum(jax.nn.relu(rows @ w1 + b1) @ w2 + b2, "model")

    return jax.shard_map(local, in_specs=(P(None, "model"), P("model"), P("model", None), P(), P("data", None)),
                         out_specs=P("data", None))(params["w1"], params["b1"], params["w2"], params["b2"], x)
