"""A strided split: shard i gets rows i, i + n, i + 2n ... instead of a block of consecutive rows."""
TASK = "pmap.shard_batch"
EXPECT = "`matrix`"


def shard_batch(x, n_devices):
    x = jnp.asarray(x)
    if x.shape[0] % n_devices:
        raise ValueError(f"a batch of {x.shape[0]} rows does not split evenly over {n_devices} devices")
    return x.reshape(x.shape[0] // n_devices, n_devices, *x.shape[1:]).swapaxes(0, 1)
