"""The same key for every layer: layers of the same shape get identical weights."""
TASK = "backprop.he_init"
EXPECT = "one key for more than one layer"


def he_init(key, sizes):
    return [{"W": math.sqrt(2.0 / a) * jax.random.normal(key, (a, b), jnp.float32), "b": jnp.zeros((b,), jnp.float32)}
            for a, b in zip(sizes[:-1], sizes[1:])]
