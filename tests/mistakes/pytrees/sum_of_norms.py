"""Adding up the norms of the leaves instead of taking one norm of everything."""
TASK = "pytrees.tree_stats"
EXPECT = "sum of the leaves' own norms"


def tree_stats(tree):
    leaves = jax.tree.leaves(tree)
    norm = sum((jnp.linalg.norm(jnp.ravel(leaf)) for leaf in leaves), jnp.float32(0.0))
    return {"num_leaves": len(leaves), "num_params": sum(int(np.size(leaf)) for leaf in leaves), "global_norm": norm}
