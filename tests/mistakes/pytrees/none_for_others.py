"""None instead of False for the leaves that get no decay: those leaves vanish from the mask's structure."""
TASK = "pytrees.decay_mask"
EXPECT = "has structure"


def decay_mask(params):
    def is_weight(path, leaf):
        name = getattr(path[-1], "key", getattr(path[-1], "name", None)) if path else None
        return True if name in ("w", "kernel") else None

    return jax.tree.map_with_path(is_weight, params)
