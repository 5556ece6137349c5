"""Reading path[-1] without a guard: a lone array has an empty path."""
TASK = "pytrees.decay_mask"
EXPECT = "IndexError"


def decay_mask(params):
    def is_weight(path, leaf):
        last = path[-1]
        return getattr(last, "key", getattr(last, "name", None)) in ("w", "kernel")

    return jax.tree.map_with_path(is_weight, params)
