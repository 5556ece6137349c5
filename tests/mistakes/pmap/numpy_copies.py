"""np.stack: NumPy leaves where JAX arrays are promised."""
TASK = "pmap.replicate"
EXPECT = "promises JAX arrays"


def replicate(tree, n_devices):
    return jax.tree.map(lambda leaf: np.stack([np.asarray(leaf)] * n_devices), tree)
