"""Looking only at dict keys: NamedTuple fields named w or kernel are missed."""
TASK = "pytrees.decay_mask"
EXPECT = "['blocks'][0].kernel.w"


def decay_mask(params):
    return jax.tree.map_with_path(
        lambda path, leaf: bool(path) and isinstance(path[-1], jax.tree_util.DictKey) and path[-1].key in ("w", "kernel"),
        params)
