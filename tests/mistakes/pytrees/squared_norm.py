"""Forgetting the square root: the sum of squares instead of the norm."""
TASK = "pytrees.tree_stats"
EXPECT = "`mixed`"


def tree_stats(tree):
    leaves = jax.tree.leaves(tree)
    squares = sum((jnp.sum(jnp.square(jnp.asarray(leaf))) for leaf in leaves), jnp.float32(0.0))
    return {"num_leaves": len(leaves), "num_params": sum(int(np.size(leaf)) for leaf in leaves), "global_norm": squares}
