"""object.__new__(Interval): rebuilt objects are the base class, not the class registered."""
TASK = "custom_pytrees.register_interval"
EXPECT = "is not an instance of the class you registered"


def register_interval(cls):
    def unflatten(aux, children):
        interval = object.__new__(Interval)
        interval.lo, interval.hi = children
        return interval

    jax.tree_util.register_pytree_node(cls, lambda t: ((t.lo, t.hi), None), unflatten)
    return cls
