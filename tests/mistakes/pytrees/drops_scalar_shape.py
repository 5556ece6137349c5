"""An is_leaf that needs a first int: the scalar shape () stays an empty tuple."""
TASK = "pytrees.zeros_from_shapes"
EXPECT = "has structure"


def zeros_from_shapes(shapes):
    def is_shape(node):
        return type(node) is tuple and len(node) > 0 and isinstance(node[0], int)

    return jax.tree.map(lambda shape: jnp.zeros(shape, jnp.float32), shapes, is_leaf=is_shape)
