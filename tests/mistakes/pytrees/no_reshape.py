"""unravel hands back flat slices: the leaves lose their shapes."""
TASK = "pytrees.ravel_tree"
EXPECT = "has shape"


def ravel_tree(tree):
    leaves, treedef = jax.tree.flatten(tree)
    offsets = np.cumsum([0, *[leaf.size for leaf in leaves]])
    flat = jnp.concatenate([jnp.ravel(leaf) for leaf in leaves])

    def unravel(vector):
        return jax.tree.unflatten(treedef, [vector[offsets[i]:offsets[i + 1]] for i in range(len(leaves))])

    return flat, unravel
