"""The norm converted to a Python float: not a jax.Array, and float() fails on a tracer under jit."""
TASK = "pytrees.tree_stats"
EXPECT = "the docstring promises a float32 0-d jax.Array"


def tree_stats(tree):
    leaves = jax.tree.leaves(tree)
    squares = sum(float(jnp.sum(jnp.square(leaf))) for leaf in leaves)
    return {"num_leaves": len(leaves), "num_params": sum(int(np.size(leaf)) for leaf in leaves),
            "global_norm": float(np.sqrt(squares))}
