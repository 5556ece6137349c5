"""jnp.tile lengthens the existing first axis instead of adding a device axis."""
TASK = "pmap.replicate"
EXPECT = "jnp.tile and jnp.repeat lengthen"


def replicate(tree, n_devices):
    return jax.tree.map(lambda leaf: jnp.tile(jnp.asarray(leaf), n_devices), tree)
