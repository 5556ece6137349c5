"""Skips __init__ but keeps its shape check: None has no shape."""
TASK = "custom_pytrees.register_interval"
EXPECT = "object has no attribute 'shape'"


def register_interval(cls):
    def unflatten(aux, children):
        lo, hi = children
        if lo.shape != hi.shape:
            raise ValueError("lo and hi must have one shape")
        interval = object.__new__(cls)
        interval.lo, interval.hi = lo, hi
        return interval

    jax.tree_util.register_pytree_node(cls, lambda t: ((t.lo, t.hi), None), unflatten)
    return cls
