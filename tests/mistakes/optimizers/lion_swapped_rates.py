"""b1 and b2 swapped: b2 mixes the direction and b1 updates the moment."""
TASK = "optimizers.scale_by_lion"
EXPECT = "`eager_directions["


def scale_by_lion(b1, b2):
    def init(params):
        return {"m": jax.tree.map(jnp.zeros_like, params)}

    def update(updates, state, params=None):
        directions = jax.tree.map(lambda g, m: jnp.sign(b2 * m + (1 - b2) * g), updates, state["m"])
        moment = jax.tree.map(lambda g, m: b1 * m + (1 - b1) * g, updates, state["m"])
        return directions, {"m": moment}

    return optax.GradientTransformation(init, update)
