"""The coefficient array in the aux data: nothing left to trace or differentiate."""
TASK = "custom_pytrees.register_polynomial"
EXPECT = "the object has no children"


def register_polynomial(cls):
    jax.tree_util.register_pytree_node(cls, lambda p: ((), (p.coeffs, p.var)),
                                       lambda aux, children: cls(*aux))
    return cls
