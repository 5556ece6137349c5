"""jax.tree.map(jnp.asarray, trees): the list itself is mapped over, and a list of trees comes back."""
TASK = "pytrees.stack_trees"
EXPECT = "the result must have the structure of ONE tree"


def stack_trees(trees):
    return jax.tree.map(jnp.asarray, trees)
