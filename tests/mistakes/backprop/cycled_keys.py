"""Two subkeys cycled over the layers: right for two layers, repeated from the third on."""
TASK = "backprop.he_init"
EXPECT = 'used a PRNG key more than once'


def he_init(key, sizes):
    keys = jax.random.split(key, 2)
    return [{"W": math.sqrt(2.0 / a) * jax.random.normal(keys[i % 2], (a, b), jnp.float32),
             "b": jnp.zeros((b,), jnp.float32)}
            for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]))]
