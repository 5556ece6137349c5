"""The same key for every layer: layers repeat each other's random numbers."""
TASK = "backprop.he_init"
EXPECT = 'used a PRNG key more than once'


def he_init(key, sizes):
    return [{"W": math.sqrt(2.0 / a) * jax.random.normal(key, (a, b), jnp.float32), "b": jnp.zeros((b,), jnp.float32)}
            for a, b in zip(sizes[:-1], sizes[1:])]
