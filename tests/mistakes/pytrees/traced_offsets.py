"""Offsets computed with jax.numpy inside unravel: traced slice bounds fail under jax.jit."""
TASK = "pytrees.ravel_tree"
EXPECT = "Slice entries must be static"


def ravel_tree(tree):
    leaves, treedef = jax.tree.flatten(tree)
    shapes = [leaf.shape for leaf in leaves]
    flat = jnp.concatenate([jnp.ravel(leaf) for leaf in leaves])

    def unravel(vector):
        offsets = jnp.cumsum(jnp.asarray([0] + [leaf.size for leaf in leaves]))
        pieces = [vector[offsets[i]:offsets[i + 1]].reshape(shape) for i, shape in enumerate(shapes)]
        return jax.tree.unflatten(treedef, pieces)

    return flat, unravel
