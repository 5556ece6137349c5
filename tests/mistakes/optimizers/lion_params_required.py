"""An update whose params argument has no default: calling it without params raises TypeError."""
TASK = "optimizers.scale_by_lion"
EXPECT = "TypeError"


def scale_by_lion(b1, b2):
    def init(params):
        return {"m": jax.tree.map(jnp.zeros_like, params)}

    def update(updates, state, params):
        directions = jax.tree.map(lambda g, m: jnp.sign(b1 * m + (1 - b1) * g), updates, state["m"])
        moment = jax.tree.map(lambda g, m: b2 * m + (1 - b2) * g, updates, state["m"])
        return directions, {"m": moment}

    return optax.GradientTransformation(init, update)
