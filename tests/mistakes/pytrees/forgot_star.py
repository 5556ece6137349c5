"""Passing the list to jax.tree.map as one tree (the star is missing): a list of trees comes back."""
TASK = "pytrees.stack_trees"
EXPECT = "returned a list of trees"


def stack_trees(trees):
    return jax.tree.map(lambda *leaves: jnp.stack(leaves), trees)
