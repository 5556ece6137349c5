"""Binds the Linen arrays to the attributes: the outputs are right, but the variables are gone (no Param left
for an optimizer, no BatchStat for BatchNorm's updates)."""
TASK = "nnx.linen_to_nnx"
EXPECT = "no longer of their NNX types"


def linen_to_nnx(variables, model):
    params, stats = variables["params"], variables["batch_stats"]
    model.linear1.kernel, model.linear1.bias = params["Dense_0"]["kernel"], params["Dense_0"]["bias"]
    model.linear2.kernel, model.linear2.bias = params["Dense_1"]["kernel"], params["Dense_1"]["bias"]
    model.bn.scale, model.bn.bias = params["BatchNorm_0"]["scale"], params["BatchNorm_0"]["bias"]
    model.bn.mean, model.bn.var = stats["BatchNorm_0"]["mean"], stats["BatchNorm_0"]["var"]
