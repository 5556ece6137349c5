"""The name (a str) among the children, with its own key."""
TASK = "custom_pytrees.register_gaussian"
EXPECT = "a hyperparameter went into the children"


def register_gaussian(cls):
    jax.tree_util.register_pytree_with_keys(
        cls, lambda g: (((GetAttrKey("mean"), g.mean), (GetAttrKey("log_std"), g.log_std),
                         (GetAttrKey("name"), g.name)), None),
        lambda aux, children: cls(*children))
    return cls
