"""Each key names the other child: the mean is reported at .log_std and the other way round."""
TASK = "custom_pytrees.register_gaussian"
EXPECT = "keystr of jax.tree.flatten_with_path"


def register_gaussian(cls):
    jax.tree_util.register_pytree_with_keys(
        cls, lambda g: (((GetAttrKey("log_std"), g.mean), (GetAttrKey("mean"), g.log_std)), g.name),
        lambda name, children: cls(*children, name))
    return cls
