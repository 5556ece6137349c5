"""Special-casing a list of one tree: it comes back without the leading axis."""
TASK = "pytrees.stack_trees"
EXPECT = "`single/leaves/"


def stack_trees(trees):
    if len(trees) == 1:
        return trees[0]
    return jax.tree.map(lambda *leaves: jnp.stack(leaves), *trees)
