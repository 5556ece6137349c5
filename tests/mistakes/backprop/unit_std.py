"""Standard-normal weights (std 1): activations explode layer after layer."""
TASK = "backprop.he_init"
EXPECT = 'plain standard normal'


def he_init(key, sizes):
    keys = jax.random.split(key, len(sizes) - 1)
    return [{"W": jax.random.normal(k, (a, b), jnp.float32), "b": jnp.zeros((b,), jnp.float32)}
            for k, a, b in zip(keys, sizes[:-1], sizes[1:])]
