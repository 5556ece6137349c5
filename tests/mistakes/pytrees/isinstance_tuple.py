"""is_leaf=isinstance(x, tuple): a NamedTuple container is taken for a shape."""
TASK = "pytrees.zeros_from_shapes"
EXPECT = "raised TypeError"


def zeros_from_shapes(shapes):
    return jax.tree.map(lambda s: jnp.zeros(s, jnp.float32), shapes, is_leaf=lambda x: isinstance(x, tuple))
