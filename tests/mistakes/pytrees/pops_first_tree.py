"""Popping the first tree off the caller's list."""
TASK = "pytrees.stack_trees"
EXPECT = "modified the list of trees"


def stack_trees(trees):
    first = trees.pop(0)
    return jax.tree.map(lambda *leaves: jnp.stack(leaves), first, *trees)
