"""The batch split over both mesh axes: more blocks than some batches have rows for, so device_put refuses."""
TASK = "sharding.place_mlp"
EXPECT = "does not evenly divide"


def place_mlp(mesh, params, x):
    on = lambda *spec: NamedSharding(mesh, P(*spec))  # noqa: E731
    layout = {"w1": on(None, "model"), "b1": on("model"), "w2": on("model", None), "b2": on()}
    return jax.device_put(dict(params), layout), jax.device_put(x, on(("data", "model")))
