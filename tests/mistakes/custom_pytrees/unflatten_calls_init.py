"""unflatten calls the validating __init__: None, shape structs and jax.jacobian's nested result break it."""
TASK = "custom_pytrees.register_interval"
EXPECT = "called Interval.__init__"


def register_interval(cls):
    jax.tree_util.register_pytree_node(cls, lambda t: ((t.lo, t.hi), None), lambda aux, children: cls(*children))
    return cls
