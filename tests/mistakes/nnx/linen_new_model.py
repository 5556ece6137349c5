"""Builds and returns a new MLP (Linen style: a new object) and leaves the model it was given untouched."""
TASK = "nnx.linen_to_nnx"
EXPECT = "first differing variable: bn/bias"


def linen_to_nnx(variables, model):
    params, stats = variables["params"], variables["batch_stats"]
    fresh = MLP(model.linear1.in_features, model.linear1.out_features, model.linear2.out_features,
                model.dropout.rate, rngs=nnx.Rngs(0))
    for layer, name in ((fresh.linear1, "Dense_0"), (fresh.linear2, "Dense_1")):
        layer.kernel[...] = params[name]["kernel"]
        layer.bias[...] = params[name]["bias"]
    fresh.bn.scale[...] = params["BatchNorm_0"]["scale"]
    fresh.bn.bias[...] = params["BatchNorm_0"]["bias"]
    fresh.bn.mean[...] = stats["BatchNorm_0"]["mean"]
    fresh.bn.var[...] = stats["BatchNorm_0"]["var"]
    return fresh
