"""The removed jax.device_put_replicated (gone in JAX 0.10)."""
TASK = "pmap.replicate"
EXPECT = "AttributeError"


def replicate(tree, n_devices):
    return jax.device_put_replicated(tree, jax.local_devices()[:n_devices])
