"""Walking dict.values() by hand: the flat vector follows insertion order, jax.tree.leaves sorts the keys."""
TASK = "pytrees.ravel_tree"
EXPECT = "dict insertion order"


def ravel_tree(tree):
    def walk(node):
        if isinstance(node, dict):
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, (list, tuple)):
            for value in node:
                yield from walk(value)
        elif node is not None:
            yield node

    leaves = list(walk(tree))
    shapes = [leaf.shape for leaf in leaves]
    offsets = np.cumsum([0, *[int(np.prod(s)) for s in shapes]])
    flat = jnp.concatenate([jnp.ravel(leaf) for leaf in leaves])

    def unravel(vector):
        pieces = [vector[offsets[i]:offsets[i + 1]].reshape(s) for i, s in enumerate(shapes)]
        return jax.tree.unflatten(jax.tree.structure(tree), pieces)

    return flat, unravel
