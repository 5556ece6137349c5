"""unravel hands back the original tree, whatever vector it is given."""
TASK = "pytrees.ravel_tree"
EXPECT = "returned the leaves of the original tree"


def ravel_tree(tree):
    leaves = jax.tree.leaves(tree)
    flat = jnp.concatenate([jnp.ravel(leaf) for leaf in leaves])

    def unravel(vector):
        return jax.tree.map(lambda leaf: leaf + 0 * vector[0], tree)

    return flat, unravel
