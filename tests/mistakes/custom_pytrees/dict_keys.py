"""DictKey instead of GetAttrKey: the paths print as ['mean'], as if the Gaussian were a dict."""
TASK = "custom_pytrees.register_gaussian"
EXPECT = "DictKey prints like a dict entry"


def register_gaussian(cls):
    DictKey = jax.tree_util.DictKey
    jax.tree_util.register_pytree_with_keys(
        cls, lambda g: (((DictKey("mean"), g.mean), (DictKey("log_std"), g.log_std)), g.name),
        lambda name, children: cls(*children, name))
    return cls
