"""Stacking along the last axis instead of a new first one."""
TASK = "pytrees.stack_trees"
EXPECT = "`several/leaves/"


def stack_trees(trees):
    return jax.tree.map(lambda *xs: jnp.stack(xs, axis=-1), *trees)
