"""Plain register_pytree_node: the children are only known by position, `[<flat index 0>]`."""
TASK = "custom_pytrees.register_gaussian"
EXPECT = "JAX knows the children only by position"


def register_gaussian(cls):
    jax.tree_util.register_pytree_node(cls, lambda g: ((g.mean, g.log_std), g.name),
                                       lambda name, children: cls(*children, name))
    return cls
