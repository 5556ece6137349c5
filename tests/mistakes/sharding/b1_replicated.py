"""b1 copied whole onto every device: its blocks no longer match the split hidden units of w1."""
TASK = "sharding.place_mlp"
EXPECT = "`b1`"


def place_mlp(mesh, params, x):
    on = lambda *spec: NamedSharding(mesh, P(*spec))  # noqa: E731
    layout = {"w1": on(None, "model"), "b1": on(), "w2": on("model", None), "b2": on()}
    return jax.device_put(dict(params), layout), jax.device_put(x, on("data"))
