"""Deciding by the leaf's rank (matrices get decay) instead of by its key path."""
TASK = "pytrees.decay_mask"
EXPECT = "`tree/leaves/"


def decay_mask(params):
    return jax.tree.map(lambda leaf: leaf.ndim >= 2, params)
