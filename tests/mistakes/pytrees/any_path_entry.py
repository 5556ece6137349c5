"""Matching a weight name anywhere on the path instead of at its end."""
TASK = "pytrees.decay_mask"
EXPECT = "['blocks'][0].kernel.b"


def decay_mask(params):
    def is_weight(path, leaf):
        names = [getattr(entry, "key", getattr(entry, "name", None)) for entry in path]
        return any(name in ("w", "kernel") for name in names)

    return jax.tree.map_with_path(is_weight, params)
