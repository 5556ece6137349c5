"""Counting the length of each leaf (its first dimension) instead of its number of elements."""
TASK = "pytrees.tree_stats"
EXPECT = "num_params"


def tree_stats(tree):
    leaves = jax.tree.leaves(tree)
    squares = sum((jnp.sum(jnp.square(jnp.asarray(leaf))) for leaf in leaves), jnp.float32(0.0))
    return {"num_leaves": len(leaves), "num_params": sum(leaf.shape[0] if leaf.ndim else 1 for leaf in leaves),
            "global_norm": jnp.sqrt(squares)}
