"""Dropping the rows that do not fit instead of raising: the data silently changes."""
TASK = "pmap.shard_batch"
EXPECT = "did not raise"


def shard_batch(x, n_devices):
    x = jnp.asarray(x)
    per_device = x.shape[0] // n_devices
    return x[: n_devices * per_device].reshape(n_devices, per_device, *x.shape[1:])
