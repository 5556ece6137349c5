"""Registers cls but forgets to return it: as a decorator, it would replace the class by None."""
TASK = "custom_pytrees.register_polynomial"
EXPECT = "did not return cls itself"


def register_polynomial(cls):
    jax.tree_util.register_pytree_node(cls, lambda p: ((p.coeffs,), p.var),
                                       lambda var, children: cls(children[0], var))
