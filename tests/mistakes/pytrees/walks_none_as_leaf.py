"""A hand-written walk over dicts, lists and tuples that yields None as a leaf."""
TASK = "pytrees.tree_stats"
EXPECT = "num_leaves"


def _walk(node):
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _walk(value)
    else:
        yield node


def tree_stats(tree):
    leaves = list(_walk(tree))
    arrays = [jnp.asarray(leaf, jnp.float32) for leaf in leaves if leaf is not None]
    squares = sum((jnp.sum(jnp.square(a)) for a in arrays), jnp.float32(0.0))
    return {"num_leaves": len(leaves), "num_params": sum(int(a.size) for a in arrays), "global_norm": jnp.sqrt(squares)}
