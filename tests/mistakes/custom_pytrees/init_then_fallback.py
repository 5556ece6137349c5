"""Tries __init__ first and skips it only when it raises: booleans are still turned into floats."""
TASK = "custom_pytrees.register_interval"
EXPECT = "called Interval.__init__"


def register_interval(cls):
    def unflatten(aux, children):
        try:
            return cls(*children)
        except Exception:
            interval = object.__new__(cls)
            interval.lo, interval.hi = children
            return interval

    jax.tree_util.register_pytree_node(cls, lambda t: ((t.lo, t.hi), None), unflatten)
    return cls
