"""NumPy zeros instead of jax.Array zeros."""
TASK = "pytrees.zeros_from_shapes"
EXPECT = "promises float32 jax.Array zeros"


def zeros_from_shapes(shapes):
    return jax.tree.map(lambda shape: np.zeros(shape, np.float32), shapes,
                        is_leaf=lambda node: type(node) is tuple)
