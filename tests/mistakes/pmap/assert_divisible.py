"""An assert instead of a ValueError."""
TASK = "pmap.shard_batch"
EXPECT = "not ValueError"


def shard_batch(x, n_devices):
    x = jnp.asarray(x)
    assert x.shape[0] % n_devices == 0, f"{x.shape[0]} rows do not split over {n_devices} devices"
    return x.reshape(n_devices, x.shape[0] // n_devices, *x.shape[1:])
