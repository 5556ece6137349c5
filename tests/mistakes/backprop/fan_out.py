"""Scaling by the number of outputs instead of inputs: sqrt(2 / fan_out)."""
TASK = "backprop.he_init"
EXPECT = 'sqrt(2 / fan_out)'


def he_init(key, sizes):
    keys = jax.random.split(key, len(sizes) - 1)
    return [{"W": math.sqrt(2.0 / b) * jax.random.normal(k, (a, b), jnp.float32), "b": jnp.zeros((b,), jnp.float32)}
            for k, a, b in zip(keys, sizes[:-1], sizes[1:])]
