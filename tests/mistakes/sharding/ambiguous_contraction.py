"""The single-device MLP as it is: in explicit mode the sharded contraction of layer 2 is refused."""
TASK = "sharding.tp_mlp_forward"
EXPECT = "ShardingTypeError"


def tp_mlp_forward(params, x):
    return mlp(params, x)
