"""The variable name (a str hyperparameter) among the children."""
TASK = "custom_pytrees.register_polynomial"
EXPECT = "a hyperparameter went into the children"


def register_polynomial(cls):
    jax.tree_util.register_pytree_node(cls, lambda p: ((p.coeffs, p.var), None),
                                       lambda aux, children: cls(*children))
    return cls
