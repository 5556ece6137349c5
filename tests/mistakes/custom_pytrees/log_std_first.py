"""The children in the order (log_std, mean): consistent, but the paths and leaves come out swapped."""
TASK = "custom_pytrees.register_gaussian"
EXPECT = "keystr of jax.tree.flatten_with_path"


def register_gaussian(cls):
    def flatten_with_keys(g):
        return ((GetAttrKey("log_std"), g.log_std), (GetAttrKey("mean"), g.mean)), g.name

    def unflatten(name, children):
        log_std, mean = children
        return cls(mean, log_std, name)

    jax.tree_util.register_pytree_with_keys(cls, flatten_with_keys, unflatten)
    return cls
