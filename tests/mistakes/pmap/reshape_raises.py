"""No check of its own: jnp.reshape refuses the uneven batch, but with a TypeError."""
TASK = "pmap.shard_batch"
EXPECT = "raised TypeError, not ValueError"


def shard_batch(x, n_devices):
    x = jnp.asarray(x)
    return x.reshape(n_devices, -1, *x.shape[1:])
