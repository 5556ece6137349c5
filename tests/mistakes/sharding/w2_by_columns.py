"""w2 split by columns (its output dimension) over "model": the hidden units no longer line up with w1's."""
TASK = "sharding.place_mlp"
EXPECT = "`w2`"


def place_mlp(mesh, params, x):
    on = lambda *spec: NamedSharding(mesh, P(*spec))  # noqa: E731
    layout = {"w1": on(None, "model"), "b1": on("model"), "w2": on(None, "model"), "b2": on()}
    return jax.device_put(dict(params), layout), jax.device_put(x, on("data"))
