"""Converting every leaf to float32 on the way: int leaves change dtype."""
TASK = "pmap.replicate"
EXPECT = "dtype float32, expected int32"


def replicate(tree, n_devices):
    return jax.tree.map(lambda leaf: jnp.broadcast_to(jnp.asarray(leaf, jnp.float32), (n_devices, *jnp.shape(leaf))),
                        tree)
