"""Copies the 'params' collection only: the running averages stay at their initial values."""
TASK = "nnx.linen_to_nnx"
EXPECT = "first differing variable: bn/mean"


def linen_to_nnx(variables, model):
    params = variables["params"]
    for layer, name in ((model.linear1, "Dense_0"), (model.linear2, "Dense_1")):
        layer.kernel[...] = params[name]["kernel"]
        layer.bias[...] = params[name]["bias"]
    model.bn.scale[...] = params["BatchNorm_0"]["scale"]
    model.bn.bias[...] = params["BatchNorm_0"]["bias"]
