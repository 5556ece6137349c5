"""Drawing from a key and then splitting that same key for the next layer."""
TASK = "backprop.he_init"
EXPECT = 'used a PRNG key more than once'


def he_init(key, sizes):
    params = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        params.append({"W": math.sqrt(2.0 / a) * jax.random.normal(key, (a, b), jnp.float32),
                       "b": jnp.zeros((b,), jnp.float32)})
        key, _ = jax.random.split(key)
    return params
