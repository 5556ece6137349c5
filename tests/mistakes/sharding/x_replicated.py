"""The batch copied whole onto every device instead of split by rows over "data"."""
TASK = "sharding.place_mlp"
EXPECT = "`x` (it is laid out by P())"


def place_mlp(mesh, params, x):
    on = lambda *spec: NamedSharding(mesh, P(*spec))  # noqa: E731
    layout = {"w1": on(None, "model"), "b1": on("model"), "w2": on("model", None), "b2": on()}
    return jax.device_put(dict(params), layout), jax.device_put(x, on())
