"""A ValueError that does not say which sizes clash."""
TASK = "pmap.shard_batch"
EXPECT = "name both numbers"


def shard_batch(x, n_devices):
    x = jnp.asarray(x)
    if x.shape[0] % n_devices:
        raise ValueError("the batch does not split evenly over the devices")
    return x.reshape(n_devices, x.shape[0] // n_devices, *x.shape[1:])
