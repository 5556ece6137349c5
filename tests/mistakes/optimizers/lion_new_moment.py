"""Updating the moment first and taking the direction from the new moment."""
TASK = "optimizers.scale_by_lion"
EXPECT = "`eager_directions["


def scale_by_lion(b1, b2):
    def init(params):
        return {"m": jax.tree.map(jnp.zeros_like, params)}

    def update(updates, state, params=None):
        moment = jax.tree.map(lambda g, m: b2 * m + (1 - b2) * g, updates, state["m"])
        directions = jax.tree.map(lambda g, m: jnp.sign(b1 * m + (1 - b1) * g), updates, moment)
        return directions, {"m": moment}

    return optax.GradientTransformation(init, update)
