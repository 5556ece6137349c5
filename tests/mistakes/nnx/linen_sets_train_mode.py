"""Copies everything, then calls model.train() (the Linen default of a train flag): the mode it was given is
lost."""
TASK = "nnx.linen_to_nnx"
EXPECT = "in the evaluation mode it was given in"


def linen_to_nnx(variables, model):
    params, stats = variables["params"], variables["batch_stats"]
    for layer, name in ((model.linear1, "Dense_0"), (model.linear2, "Dense_1")):
        layer.kernel[...] = params[name]["kernel"]
        layer.bias[...] = params[name]["bias"]
    model.bn.scale[...] = params["BatchNorm_0"]["scale"]
    model.bn.bias[...] = params["BatchNorm_0"]["bias"]
    model.bn.mean[...] = stats["BatchNorm_0"]["mean"]
    model.bn.var[...] = stats["BatchNorm_0"]["var"]
    model.train()
