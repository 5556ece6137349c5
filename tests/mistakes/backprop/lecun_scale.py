"""LeCun's 1 / fan_in variance instead of He's 2 / fan_in."""
TASK = "backprop.he_init"
EXPECT = 'LeCun'


def he_init(key, sizes):
    keys = jax.random.split(key, len(sizes) - 1)
    return [{"W": jax.random.normal(k, (a, b), jnp.float32) / math.sqrt(a), "b": jnp.zeros((b,), jnp.float32)}
            for k, a, b in zip(keys, sizes[:-1], sizes[1:])]
