"""unflatten builds the base Gaussian instead of the class that was registered."""
TASK = "custom_pytrees.register_gaussian"
EXPECT = "not instances of the registered class"


def register_gaussian(cls):
    jax.tree_util.register_pytree_with_keys(
        cls, lambda g: (((GetAttrKey("mean"), g.mean), (GetAttrKey("log_std"), g.log_std)), g.name),
        lambda name, children: Gaussian(*children, name))
    return cls
