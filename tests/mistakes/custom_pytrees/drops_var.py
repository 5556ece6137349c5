"""No aux data at all: rebuilt polynomials get the default var, and jit cannot tell vars apart."""
TASK = "custom_pytrees.register_polynomial"
EXPECT = "var is not in the aux data"


def register_polynomial(cls):
    jax.tree_util.register_pytree_node(cls, lambda p: ((p.coeffs,), None),
                                       lambda aux, children: cls(children[0]))
    return cls
