"""x.reshape(n, -1): each shard becomes one flat vector and the rows lose their shape."""
TASK = "pmap.shard_batch"
EXPECT = "trailing axes were flattened"


def shard_batch(x, n_devices):
    x = jnp.asarray(x)
    if x.shape[0] % n_devices:
        raise ValueError(f"a batch of {x.shape[0]} rows does not split evenly over {n_devices} devices")
    return x.reshape(n_devices, -1)
