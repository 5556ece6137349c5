"""flatten gives (lo, hi) but unflatten reads them as (hi, lo)."""
TASK = "custom_pytrees.register_interval"
EXPECT = "`rebuilt/lo`"


def register_interval(cls):
    def unflatten(aux, children):
        interval = object.__new__(cls)
        interval.hi, interval.lo = children
        return interval

    jax.tree_util.register_pytree_node(cls, lambda t: ((t.lo, t.hi), None), unflatten)
    return cls
