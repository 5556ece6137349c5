"""Stacking into a float32 array whatever the leaves' dtype."""
TASK = "pytrees.stack_trees"
EXPECT = "dtype float32, expected int32"


def stack_trees(trees):
    return jax.tree.map(lambda *leaves: jnp.array(leaves, dtype=jnp.float32), *trees)
