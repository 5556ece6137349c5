"""A hand-written recursion that rebuilds every NamedTuple as a plain tuple."""
TASK = "pytrees.zeros_from_shapes"
EXPECT = "has structure"


def zeros_from_shapes(shapes):
    if isinstance(shapes, dict):
        return {key: zeros_from_shapes(value) for key, value in shapes.items()}
    if isinstance(shapes, list):
        return [zeros_from_shapes(value) for value in shapes]
    if type(shapes) is tuple:
        return jnp.zeros(shapes, jnp.float32)
    return tuple(zeros_from_shapes(value) for value in shapes)
