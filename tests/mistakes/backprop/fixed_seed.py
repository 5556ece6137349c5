"""A key made inside from a fixed seed: the key passed in is ignored."""
TASK = "backprop.he_init"
EXPECT = 'same weights for two different keys'


def he_init(key, sizes):
    keys = jax.random.split(jax.random.key(0), len(sizes) - 1)
    return [{"W": math.sqrt(2.0 / a) * jax.random.normal(k, (a, b), jnp.float32), "b": jnp.zeros((b,), jnp.float32)}
            for k, a, b in zip(keys, sizes[:-1], sizes[1:])]
