"""jax.tree.map(jnp.zeros, shapes): a shape tuple is a node, so jnp.zeros gets one int at a time."""
TASK = "pytrees.zeros_from_shapes"
EXPECT = "walked into the shape tuples"


def zeros_from_shapes(shapes):
    return jax.tree.map(jnp.zeros, shapes)
