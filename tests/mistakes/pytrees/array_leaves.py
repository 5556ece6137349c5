"""Boolean arrays as the mask's leaves instead of Python bools."""
TASK = "pytrees.decay_mask"
EXPECT = "Python bools"


def decay_mask(params):
    def is_weight(path, leaf):
        name = getattr(path[-1], "key", getattr(path[-1], "name", None)) if path else None
        return jnp.asarray(name in ("w", "kernel"))

    return jax.tree.map_with_path(is_weight, params)
