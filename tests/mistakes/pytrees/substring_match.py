"""A substring test on the key-path string: 'w_scale' and 'bw' contain a 'w' too."""
TASK = "pytrees.decay_mask"
EXPECT = "['blocks'][0].kernel.b"


def decay_mask(params):
    return jax.tree.map_with_path(lambda path, leaf: "w" in jax.tree_util.keystr(path) or "kernel" in jax.tree_util.keystr(path), params)
