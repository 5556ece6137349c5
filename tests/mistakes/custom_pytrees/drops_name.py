"""No aux data: rebuilt Gaussians get the default name."""
TASK = "custom_pytrees.register_gaussian"
EXPECT = "the name is not in the aux data"


def register_gaussian(cls):
    jax.tree_util.register_pytree_with_keys(
        cls, lambda g: (((GetAttrKey("mean"), g.mean), (GetAttrKey("log_std"), g.log_std)), None),
        lambda aux, children: cls(*children))
    return cls
