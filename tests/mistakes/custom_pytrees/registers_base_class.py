"""Registering Polynomial instead of the class given: subclasses stay leaves, and the second call raises."""
TASK = "custom_pytrees.register_polynomial"
EXPECT = "Duplicate custom PyTreeDef type registration"


def register_polynomial(cls):
    jax.tree_util.register_pytree_node(Polynomial, lambda p: ((p.coeffs,), p.var),
                                       lambda var, children: Polynomial(children[0], var))
    return cls
