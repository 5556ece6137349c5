"""Every array copied whole onto every device: right values, no parallelism at all."""
TASK = "sharding.place_mlp"
EXPECT = "(it is laid out by P())"


def place_mlp(mesh, params, x):
    everywhere = NamedSharding(mesh, P())
    return jax.device_put(dict(params), everywhere), jax.device_put(x, everywhere)
