"""unflatten calls the validating __init__: jax.jacobian rebuilds with None placeholders and fails."""
TASK = "custom_pytrees.register_interval"
EXPECT = "called __init__"


def register_interval(cls):
    jax.tree_util.register_pytree_node(cls, lambda t: ((t.lo, t.hi), None), lambda aux, children: cls(*children))
    return cls
