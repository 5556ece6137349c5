"""Assigning the new values into the caller's params dict."""
TASK = "pytrees.momentum_update"
EXPECT = "modified the params"


def momentum_update(params, grads, velocity, lr, beta):
    new_velocity = jax.tree.map(lambda v, g: beta * v + g, velocity, grads)
    for key in params:
        params[key] = jax.tree.map(lambda p, v: p - lr * v, params[key], new_velocity[key])
    return params, new_velocity
