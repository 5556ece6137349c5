"""Counting leaves instead of array elements."""
TASK = "pytrees.tree_stats"
EXPECT = "`mixed/num_params`"


def tree_stats(tree):
    leaves = jax.tree.leaves(tree)
    squares = sum((jnp.sum(jnp.square(leaf)) for leaf in leaves), jnp.float32(0.0))
    return {"num_leaves": len(leaves), "num_params": len(leaves), "global_norm": jnp.sqrt(squares)}
