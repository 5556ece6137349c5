"""Stepping the params with the old velocity instead of the new one."""
TASK = "pytrees.momentum_update"
EXPECT = "with the velocity you were given"


def momentum_update(params, grads, velocity, lr, beta):
    new_params = jax.tree.map(lambda p, v: p - lr * v, params, velocity)
    new_velocity = jax.tree.map(lambda v, g: beta * v + g, velocity, grads)
    return new_params, new_velocity
