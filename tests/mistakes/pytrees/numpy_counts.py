"""Counting with NumPy: num_params comes back as a numpy.int64, not the promised Python int."""
TASK = "pytrees.tree_stats"
EXPECT = "promises a Python int"


def tree_stats(tree):
    leaves = jax.tree.leaves(tree)
    squares = sum((jnp.sum(jnp.square(jnp.asarray(leaf))) for leaf in leaves), jnp.float32(0.0))
    return {"num_leaves": len(leaves), "num_params": np.sum([np.size(leaf) for leaf in leaves], dtype=np.int64),
            "global_norm": jnp.sqrt(squares)}
