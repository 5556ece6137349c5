"""unravel returns the list of reshaped pieces: the tree's containers are lost."""
TASK = "pytrees.ravel_tree"
EXPECT = "has structure"


def ravel_tree(tree):
    leaves = jax.tree.leaves(tree)
    shapes = [leaf.shape for leaf in leaves]
    offsets = np.cumsum([0, *[leaf.size for leaf in leaves]])
    flat = jnp.concatenate([jnp.ravel(leaf) for leaf in leaves])

    def unravel(vector):
        return [vector[offsets[i]:offsets[i + 1]].reshape(s) for i, s in enumerate(shapes)]

    return flat, unravel
