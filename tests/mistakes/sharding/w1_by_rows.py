"""w1 split by rows over "model" (its input dimension) instead of by columns: layer 1 would need a sum."""
TASK = "sharding.place_mlp"
EXPECT = "`w1` (it is laid out by P('model', None))"


def place_mlp(mesh, params, x):
    on = lambda *spec: NamedSharding(mesh, P(*spec))  # noqa: E731
    layout = {"w1": on("model", None), "b1": on("model"), "w2": on("model", None), "b2": on()}
    return jax.device_put(dict(params), layout), jax.device_put(x, on("data"))
