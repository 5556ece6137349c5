"""NumPy's reshape: a NumPy array comes back, not a JAX array."""
TASK = "pmap.shard_batch"
EXPECT = "promises a JAX array"


def shard_batch(x, n_devices):
    x = np.asarray(x)
    if x.shape[0] % n_devices:
        raise ValueError(f"a batch of {x.shape[0]} rows does not split evenly over {n_devices} devices")
    return x.reshape(n_devices, x.shape[0] // n_devices, *x.shape[1:])
