"""Pairing the first two trees only."""
TASK = "pytrees.stack_trees"
EXPECT = "IndexError"


def stack_trees(trees):
    return jax.tree.map(lambda a, b: jnp.stack([a, b]), trees[0], trees[1])
