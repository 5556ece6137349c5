"""A NamedTuple of one's own with init and update: chain accepts it, but it is not an optax.GradientTransformation."""
TASK = "optimizers.scale_by_lion"
EXPECT = "did not return an optax.GradientTransformation"

import typing


class _Pair(typing.NamedTuple):
    init: object
    update: object


def scale_by_lion(b1, b2):
    def init(params):
        return {"m": jax.tree.map(jnp.zeros_like, params)}

    def update(updates, state, params=None):
        directions = jax.tree.map(lambda g, m: jnp.sign(b1 * m + (1 - b1) * g), updates, state["m"])
        moment = jax.tree.map(lambda g, m: b2 * m + (1 - b2) * g, updates, state["m"])
        return directions, {"m": moment}

    return _Pair(init, update)
