"""unflatten builds the base Polynomial instead of the class that was registered."""
TASK = "custom_pytrees.register_polynomial"
EXPECT = "not an instance of the class you registered"


def register_polynomial(cls):
    jax.tree_util.register_pytree_node(cls, lambda p: ((p.coeffs,), p.var),
                                       lambda var, children: Polynomial(children[0], var))
    return cls
