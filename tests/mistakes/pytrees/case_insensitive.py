"""Comparing names case-insensitively: a leaf named W is marked too."""
TASK = "pytrees.decay_mask"
EXPECT = "['norm']['W']"


def decay_mask(params):
    def is_weight(path, leaf):
        name = getattr(path[-1], "key", getattr(path[-1], "name", "")) if path else ""
        return str(name).lower() in ("w", "kernel")

    return jax.tree.map_with_path(is_weight, params)
