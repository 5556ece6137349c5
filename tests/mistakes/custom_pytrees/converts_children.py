"""Skips __init__ but still converts the children with jnp.asarray: None cannot be converted."""
TASK = "custom_pytrees.register_interval"
EXPECT = "None is not a valid value for jnp.array"


def register_interval(cls):
    def unflatten(aux, children):
        interval = object.__new__(cls)
        interval.lo, interval.hi = (jnp.asarray(child) for child in children)
        return interval

    jax.tree_util.register_pytree_node(cls, lambda t: ((t.lo, t.hi), None), unflatten)
    return cls
