"""Re-run safety by class name: a second, different class with the same name is never registered."""
TASK = "custom_pytrees.register_polynomial"
EXPECT = "JAX treats it as a leaf"

_registered_names = set()


def register_polynomial(cls):
    if cls.__name__ not in _registered_names:
        jax.tree_util.register_pytree_node(cls, lambda p: ((p.coeffs,), p.var),
                                           lambda var, children: cls(children[0], var))
        _registered_names.add(cls.__name__)
    return cls
