"""jax.tree.map(jnp.asarray, trees): the list itself is mapped over, and a list of trees comes back."""
TASK = "pytrees.stack_trees"
EXPECT = "returned a list of trees"


def stack_trees(trees):
    return jax.tree.map(jnp.asarray, trees)
