"""PyTorch habit: kernels transposed to (out, in)."""
TASK = "nnx.linen_to_nnx"
EXPECT = "first differing variable: linear1/kernel"


def linen_to_nnx(variables, model):
    params, stats = variables["params"], variables["batch_stats"]
    for layer, name in ((model.linear1, "Dense_0"), (model.linear2, "Dense_1")):
        layer.kernel.set_value(params[name]["kernel"].T)
        layer.bias[...] = params[name]["bias"]
    model.bn.scale[...] = params["BatchNorm_0"]["scale"]
    model.bn.bias[...] = params["BatchNorm_0"]["bias"]
    model.bn.mean[...] = stats["BatchNorm_0"]["mean"]
    model.bn.var[...] = stats["BatchNorm_0"]["var"]
